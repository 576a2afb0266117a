import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The Conduit's outbox: one row per conversation event, in capture order (position). event_id is the
  // stable id derived from the interaction and the change, so a replayed ICWS message never adds a row.
  await db.schema
    .createTable('conduit_outbox')
    .addColumn('position', 'bigserial', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attributes', 'jsonb', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema.createIndex('conduit_outbox_occurred').on('conduit_outbox').columns(['occurred_at', 'position']).execute();
  // What the capture last knew of each interaction: ICWS change messages carry only what changed.
  await db.schema
    .createTable('conduit_interactions')
    .addColumn('interaction_id', 'text', (c) => c.primaryKey())
    .addColumn('attributes', 'jsonb', (c) => c.notNull())
    .addColumn('transitions', 'integer', (c) => c.notNull().defaultTo(0))
    // The last change applied, as (watch run, sequence): a chunk written again after a lost commit is skipped.
    .addColumn('last_run', 'text')
    .addColumn('last_seq', 'bigint')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The export's cursor: every event at or below it has been answered by Genesys Cloud.
  await db.schema
    .createTable('conduit_cursor')
    .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1))
    .addColumn('position', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Each batch is written before it is sent, with the Idempotency-Key it is sent (and resent) with.
  await db.schema
    .createTable('conduit_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('backfill_id', 'text')
    .addColumn('range_from', 'timestamptz')
    .addColumn('range_to', 'timestamptz')
    .addColumn('from_position', 'bigint', (c) => c.notNull())
    .addColumn('to_position', 'bigint', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created', 'integer')
    .addColumn('duplicates', 'integer')
    .addColumn('rejected', 'integer')
    .addColumn('failure', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('acked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('conduit_batches_pending').on('conduit_batches').columns(['status', 'kind']).execute();
  await db.schema.createIndex('conduit_batches_acked').on('conduit_batches').columns(['acked_at']).execute();
  await db.schema
    .createTable('conduit_dead_letters')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['conduit_dead_letters', 'conduit_batches', 'conduit_cursor', 'conduit_interactions', 'conduit_outbox']) {
    await db.schema.dropTable(t).execute();
  }
}
