import type { Kysely } from 'kysely';

// Frozen in time: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Set by `bridge unpair` before it stops the workflows: from then on the pairing counts as gone for the
  // queue workers and the activities, while its state stays until every workflow of the pairing has ended.
  await db.schema.alterTable('pairing').addColumn('unpairing_since', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pairing').dropColumn('unpairing_since').execute();
}
