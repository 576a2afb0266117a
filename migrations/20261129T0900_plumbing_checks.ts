import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plumbing_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('job_id', 'text')
    .addColumn('echoed_at', 'timestamptz')
    .addColumn('echoed_by', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('plumbing_checks').execute();
}
