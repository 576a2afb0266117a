import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // CIC changes the watch saw but could not hand to the cic-events queue (Redis away too long, or the watch
  // ending): kept here until a pass covers them, so a Redis outage never loses a change. The id '*' (ICWS's
  // wildcard, never a user id) stands for "a full pass is needed".
  await db.schema
    .createTable('watch_backlog')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('noted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('watch_backlog').execute();
}
