import { sql } from 'kysely';
import type { Db } from './database';
import type { DesiredScimUser, LinkState, UserLink } from '../domain';

/** Upserts CIC records read in one pass; `seenAt` marks them present. */
export async function stageCicRecords(
  db: Db,
  records: { cicId: string; record: Record<string, unknown>; hash: string }[],
  seenAt: Date,
): Promise<void> {
  if (!records.length) return;
  await db
    .insertInto('cic_users')
    .values(
      records.map((r) => ({
        cic_id: r.cicId,
        record: JSON.stringify(r.record),
        content_hash: r.hash,
        present: true,
        seen_at: seenAt,
        removed_at: null,
      })),
    )
    .onConflict((oc) =>
      oc.column('cic_id').doUpdateSet((eb) => ({
        record: eb.ref('excluded.record'),
        content_hash: eb.ref('excluded.content_hash'),
        present: true,
        seen_at: eb.ref('excluded.seen_at'),
        removed_at: null,
      })),
    )
    .execute();
}

/** After a full read: every user not seen since `seenSince` has left CIC. */
export async function markUnseenRemoved(db: Db, seenSince: Date): Promise<number> {
  const r = await db
    .updateTable('cic_users')
    .set({ present: false, removed_at: new Date() })
    .where('present', '=', true)
    .where('seen_at', '<', seenSince)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function markRemoved(db: Db, cicIds: string[]): Promise<void> {
  if (!cicIds.length) return;
  await db.updateTable('cic_users').set({ present: false, removed_at: new Date() }).where('cic_id', 'in', cicIds).execute();
}

/** Raw records of users present in CIC, all of them or the given ones. */
export async function loadPresentRecords(db: Db, cicIds?: string[]): Promise<unknown[]> {
  if (cicIds && !cicIds.length) return [];
  let q = db.selectFrom('cic_users').select('record').where('present', '=', true);
  if (cicIds) q = q.where('cic_id', 'in', cicIds);
  return (await q.execute()).map((r) => r.record);
}

export interface LinkRow extends UserLink {
  reason: string | null;
  problems: string[];
  version: string | null;
  lastSyncedAt: Date | null;
  lastTrace: unknown[] | null;
}

function toLink(row: any): LinkRow {
  return {
    cicId: row.cic_id,
    genesysId: row.genesys_id,
    email: row.email,
    syncedHash: row.synced_hash,
    syncedValues: row.synced_values as DesiredScimUser | null,
    state: row.state as LinkState,
    active: row.active,
    reason: row.reason,
    problems: row.problems ?? [],
    version: row.version,
    lastSyncedAt: row.last_synced_at,
    lastTrace: row.last_trace,
  };
}

export async function loadLinks(db: Db, cicIds?: string[]): Promise<LinkRow[]> {
  if (cicIds && !cicIds.length) return [];
  let q = db.selectFrom('user_links').selectAll();
  if (cicIds) q = q.where('cic_id', 'in', cicIds);
  return (await q.execute()).map(toLink);
}

export async function countLinkedActive(db: Db): Promise<number> {
  const r = await db
    .selectFrom('user_links')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('genesys_id', 'is not', null)
    .where('active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export type LinkUpdate = Partial<Omit<LinkRow, 'cicId'>> & { cicId: string; state: LinkState };

/** Writes what a sync learned about one user; unspecified columns keep their value. */
export async function saveLink(db: Db, u: LinkUpdate): Promise<void> {
  const set: Record<string, unknown> = { state: u.state, updated_at: new Date() };
  if (u.genesysId !== undefined) set.genesys_id = u.genesysId;
  if (u.email !== undefined) set.email = u.email;
  if (u.reason !== undefined) set.reason = u.reason;
  if (u.problems !== undefined) set.problems = JSON.stringify(u.problems);
  if (u.syncedHash !== undefined) set.synced_hash = u.syncedHash;
  if (u.syncedValues !== undefined) set.synced_values = u.syncedValues ? JSON.stringify(u.syncedValues) : null;
  if (u.active !== undefined) set.active = u.active;
  if (u.version !== undefined) set.version = u.version;
  if (u.lastSyncedAt !== undefined) set.last_synced_at = u.lastSyncedAt;
  if (u.lastTrace !== undefined) set.last_trace = u.lastTrace ? JSON.stringify(u.lastTrace) : null;
  await db
    .insertInto('user_links')
    .values({ cic_id: u.cicId, problems: '[]', ...set } as any)
    .onConflict((oc) => oc.column('cic_id').doUpdateSet(set as any))
    .execute();
}

export async function deleteLinks(db: Db, cicIds: string[]): Promise<void> {
  if (cicIds.length) await db.deleteFrom('user_links').where('cic_id', 'in', cicIds).execute();
}

export async function listLinks(db: Db, state?: string, limit = 1000): Promise<LinkRow[]> {
  let q = db.selectFrom('user_links').selectAll().orderBy('cic_id').limit(limit);
  if (state) q = q.where('state', '=', state);
  return (await q.execute()).map(toLink);
}

export async function countLinksByState(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('user_links')
    .select(['state', sql<string>`count(*)`.as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
