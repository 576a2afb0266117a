import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Cloud-side edits to synced attributes, found by the cloud read of a full pass: one row per user with
  // drift, the attributes as [{attribute, before (what we last sent), after (what the cloud has)}]. Reported,
  // never written back; the next full pass replaces or removes the row.
  await db.schema
    .createTable('user_drift')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('genesys_id', 'text', (c) => c.notNull())
    .addColumn('attributes', 'jsonb', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // When a CIC change was seen (the watch handed it to the queue) and when the cloud acknowledged the
  // resulting write: the propagation latency the health page and /metrics report. One row per user.
  await db.schema
    .createTable('change_propagation')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('latency_ms', 'integer')
    .execute();
  await db.schema.createIndex('change_propagation_acknowledged').on('change_propagation').column('acknowledged_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_propagation').execute();
  await db.schema.dropTable('user_drift').execute();
}
