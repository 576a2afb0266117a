import { sql, type Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The IdP's signing keys: 'current' signs, 'next' is published beside it during a rotation, 'previous'
  // stays published after the switch so assertions already in flight still verify.
  await db.schema
    .createTable('idp_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('certificate_pem', 'text', (c) => c.notNull())
    .addColumn('private_key_enc', 'text', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('activated_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('idp_keys_one_current')
    .on('idp_keys')
    .column('status')
    .unique()
    .where(sql<boolean>`status in ('current', 'next')`)
    .execute();

  // Proof of each link without a password (SAML2-bearer exchange), per CIC user.
  await db.schema
    .createTable('sso_links')
    .addColumn('cic_id', 'text', (c) => c.primaryKey())
    .addColumn('genesys_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('next_check_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_links').execute();
  await db.schema.dropTable('idp_keys').execute();
}
