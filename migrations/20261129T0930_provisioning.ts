import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // One CIC server pairs with exactly one organization: the table holds at most one row.
  await db.schema
    .createTable('pairing')
    .addColumn('id', 'integer', (c) => c.primaryKey().defaultTo(1).check(sql`id = 1`))
    .addColumn('org_short_name', 'text', (c) => c.notNull())
    .addColumn('region_domain', 'text')
    .addColumn('api_url', 'text', (c) => c.notNull())
    .addColumn('login_url', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_enc', 'text', (c) => c.notNull())
    .addColumn('cic_servers', 'jsonb', (c) => c.notNull())
    .addColumn('cic_user_id', 'text', (c) => c.notNull())
    .addColumn('cic_password_enc', 'text', (c) => c.notNull())
    .addColumn('options', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('cic_users')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('record', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('present', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('user_links')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('genesys_id', 'text', (c) => c.unique())
    .addColumn('email', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('problems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('synced_hash', 'text')
    .addColumn('synced_values', 'jsonb')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'text')
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('last_trace', 'jsonb')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('user_links_state').on('user_links').column('state').execute();

  await db.schema
    .createTable('cloud_users')
    .addColumn('genesys_id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cloud_users_user_name').on('cloud_users').column('user_name').execute();
  await db.schema.createIndex('cloud_users_external_id').on('cloud_users').column('external_id').execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('blocked_reason', 'text')
    .addColumn('removal_confirmed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('sync_changes')
    .addColumn('run_id', 'text', (c) => c.notNull().references('sync_runs.id').onDelete('cascade'))
    .addColumn('cic_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('changes', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sync_changes_pk', ['run_id', 'cic_id'])
    .execute();
  await db.schema.createIndex('sync_changes_cic_id').on('sync_changes').columns(['cic_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sync_changes', 'sync_runs', 'cloud_users', 'user_links', 'cic_users', 'pairing']) {
    await db.schema.dropTable(t).execute();
  }
}
