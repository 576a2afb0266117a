import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Per CIC user: the last status the presence worker handled and what it pushed for it. `handled_seq` is the
  // intake sequence number of that status, so a restart can tell which users' pushes are behind.
  await db.schema
    .createTable('presence_state')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('status_id', 'text')
    .addColumn('logged_in', 'boolean')
    .addColumn('status_seen_at', 'timestamptz')
    .addColumn('handled_seq', 'bigint')
    .addColumn('presence', 'text')
    .addColumn('because', 'text')
    .addColumn('pushed_presence', 'text')
    .addColumn('pushed_definition_id', 'text')
    .addColumn('pushed_genesys_id', 'text')
    .addColumn('primary_source_id', 'text')
    .addColumn('pushed_at', 'timestamptz')
    .addColumn('lag_ms', 'integer')
    .addColumn('skipped_reason', 'text')
    .addColumn('last_error', 'text')
    .addColumn('error_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('presence_state_pushed_at').on('presence_state').column('pushed_at').execute();

  // Operator overrides of the default mapping, by CIC status id (compared without case, as CIC does).
  await db.schema
    .createTable('presence_overrides')
    .addColumn('status_key', 'text', (c) => c.primaryKey())
    .addColumn('status_id', 'text', (c) => c.notNull())
    .addColumn('presence', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The bridge's own presence source, registered once per pairing.
  await db.schema
    .createTable('presence_source')
    .addColumn('org_short_name', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // One row per push attempt (a bulk request or a per-user fallback round), for `bridge presence`.
  await db.schema
    .createTable('presence_pushes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('users', 'integer', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('presence_pushes_at').on('presence_pushes').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('presence_pushes').execute();
  await db.schema.dropTable('presence_source').execute();
  await db.schema.dropTable('presence_overrides').execute();
  await db.schema.dropTable('presence_state').execute();
}
