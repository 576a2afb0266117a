import type { Db } from './database';

export interface CloudUserRow {
  id: string;
  userName: string;
  externalId?: string | null;
  active: boolean;
  version?: string | null;
}

/** Replaces the reconciliation snapshot of the cloud directory with the one read by `runId`. */
export async function replaceCloudUsers(db: Db, runId: string, users: CloudUserRow[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('cloud_users').execute();
    for (let i = 0; i < users.length; i += 1000) {
      await trx
        .insertInto('cloud_users')
        .values(
          users.slice(i, i + 1000).map((u) => ({
            genesys_id: u.id,
            user_name: u.userName.toLowerCase(),
            external_id: u.externalId ?? null,
            active: u.active,
            version: u.version ?? null,
            run_id: runId,
          })),
        )
        .onConflict((oc) => oc.column('genesys_id').doNothing())
        .execute();
    }
  });
}


/** The cloud users the creates of one chunk may meet, in one query. */
export async function findCloudUsers(db: Db, wanted: { externalId: string; userName: string }[]): Promise<CloudUserIndex> {
  const index: CloudUserIndex = { byExternalId: new Map(), byUserName: new Map() };
  if (!wanted.length) return index;
  const rows = await db
    .selectFrom('cloud_users')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('external_id', 'in', wanted.map((w) => w.externalId)),
        eb('user_name', 'in', wanted.map((w) => w.userName.toLowerCase())),
      ]),
    )
    .execute();
  for (const r of rows) {
    const row = { id: r.genesys_id, userName: r.user_name, externalId: r.external_id, active: r.active, version: r.version };
    if (r.external_id) index.byExternalId.set(r.external_id, row);
    if (!index.byUserName.has(r.user_name)) index.byUserName.set(r.user_name, row);
  }
  return index;
}

export interface CloudUserIndex {
  byExternalId: Map<string, CloudUserRow>;
  byUserName: Map<string, CloudUserRow>;
}

export function lookupCloudUser(index: CloudUserIndex, externalId: string, userName: string): CloudUserRow | undefined {
  return index.byExternalId.get(externalId) ?? index.byUserName.get(userName.toLowerCase());
}
