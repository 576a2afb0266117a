import type { Db } from './database';
import type { IdpKeysTable } from './tables/sso';

export type IdpKeyStatus = IdpKeysTable['status'];

/** A signing key as stored: the private key stays sealed here and is opened only by the keyring. */
export interface StoredIdpKey {
  id: string;
  status: IdpKeyStatus;
  certificatePem: string;
  privateKeySealed: string;
  notAfter: Date;
  createdAt: Date;
  activatedAt: Date | null;
}

export async function listIdpKeys(db: Db): Promise<StoredIdpKey[]> {
  const rows = await db.selectFrom('idp_keys').selectAll().where('status', '!=', 'retired').orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    certificatePem: r.certificate_pem,
    privateKeySealed: r.private_key_enc,
    notAfter: r.not_after,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
  }));
}

export async function insertIdpKey(db: Db, k: { id: string; status: 'current' | 'next'; certificatePem: string; privateKeySealed: string; notAfter: Date }): Promise<void> {
  await db
    .insertInto('idp_keys')
    .values({
      id: k.id,
      status: k.status,
      certificate_pem: k.certificatePem,
      private_key_enc: k.privateKeySealed,
      not_after: k.notAfter,
      activated_at: k.status === 'current' ? new Date() : null,
    })
    .execute();
}

/**
 * The switch of a rotation, in one transaction: the next key signs from now on, the old current one stays
 * published as 'previous' (assertions it signed a moment ago must still verify), older ones are retired.
 * Idempotent: with no 'next' key it changes nothing and says so.
 */
export async function promoteNextKey(db: Db): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const next = await trx.selectFrom('idp_keys').select('id').where('status', '=', 'next').forUpdate().executeTakeFirst();
    if (!next) return false;
    await trx.updateTable('idp_keys').set({ status: 'retired' }).where('status', '=', 'previous').execute();
    await trx.updateTable('idp_keys').set({ status: 'previous' }).where('status', '=', 'current').execute();
    await trx.updateTable('idp_keys').set({ status: 'current', activated_at: new Date() }).where('id', '=', next.id).execute();
    return true;
  });
}

export async function deleteIdpKeys(db: Db): Promise<void> {
  await db.deleteFrom('idp_keys').execute();
}
