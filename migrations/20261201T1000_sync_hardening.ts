import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A full pass plans page by page from what staging mapped, so the raw record is no longer kept.
  await db.schema
    .alterTable('cic_users')
    .alterColumn('record', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('cic_users')
    .addColumn('staged', 'jsonb')
    .addColumn('email_key', 'text')
    .addColumn('staged_with', 'text')
    .execute();
  await sql`CREATE INDEX cic_users_email_key ON cic_users (email_key) WHERE present`.execute(db);

  // A change that keeps failing is given up on after a few attempts, with a time before the next one.
  await db.schema
    .alterTable('sync_changes')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'timestamptz')
    .execute();
  // In the order apply chunks take them (updates and removals before creates), so a chunk reads 500 rows, not a sort of the run.
  await sql`CREATE INDEX sync_changes_planned ON sync_changes (run_id, (action = 'create'), cic_id) WHERE status = 'planned'`.execute(db);

  // Planning commits page by page; a retried plan must know whether the whole run was planned.
  await db.schema.alterTable('sync_runs').addColumn('planned', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // A user that failed on earlier passes waits (with backoff) before a full pass tries it again.
  await db.schema
    .alterTable('user_links')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('planned').execute();
  await db.schema.alterTable('user_links').dropColumn('failures').dropColumn('retry_at').execute();
  await sql`DROP INDEX sync_changes_planned`.execute(db);
  await db.schema.alterTable('sync_changes').dropColumn('attempts').dropColumn('retry_at').execute();
  await sql`DROP INDEX cic_users_email_key`.execute(db);
  await db.schema.alterTable('cic_users').dropColumn('staged').dropColumn('email_key').dropColumn('staged_with').execute();
  await sql`UPDATE cic_users SET record = '{}'::jsonb WHERE record IS NULL`.execute(db);
  await db.schema
    .alterTable('cic_users')
    .alterColumn('record', (c) => c.setNotNull())
    .execute();
}
