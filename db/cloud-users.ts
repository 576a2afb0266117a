import type { Db } from './database';

export interface CloudUserRow {
  id: string;
  userName: string;
  externalId?: string | null;
  active: boolean;
  version?: string | null;
}

/** Writes one page of the reconciliation snapshot read by `runId`. */
export async function upsertCloudUsers(db: Db, runId: string, users: CloudUserRow[]): Promise<void> {
  if (!users.length) return;
  await db
    .insertInto('cloud_users')
    .values(
      users.map((u) => ({
        genesys_id: u.id,
        user_name: u.userName.toLowerCase(),
        external_id: u.externalId ?? null,
        active: u.active,
        version: u.version ?? null,
        run_id: runId,
      })),
    )
    .onConflict((oc) =>
      oc.column('genesys_id').doUpdateSet((eb) => ({
        user_name: eb.ref('excluded.user_name'),
        external_id: eb.ref('excluded.external_id'),
        active: eb.ref('excluded.active'),
        version: eb.ref('excluded.version'),
        run_id: eb.ref('excluded.run_id'),
      })),
    )
    .execute();
}

/** After the whole snapshot of `runId` is written: users it did not see are gone from the cloud. */
export async function dropCloudUsersNotIn(db: Db, runId: string): Promise<void> {
  await db.deleteFrom('cloud_users').where('run_id', '<>', runId).execute();
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
