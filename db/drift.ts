import { sql } from 'kysely';
import type { Db } from './database';
import type { DriftAttribute } from './tables/health';
import { loadLinks } from './directory';
import { findDrift, type CloudScimUser } from '../domain/scim-patch';

export type { DriftAttribute };

export interface CloudUserAsRead extends CloudScimUser {
  id: string;
  externalId?: string | null;
}

export interface UserDrift {
  cicId: string;
  genesysId: string;
  attributes: DriftAttribute[];
  runId: string;
  detectedAt: Date;
}

/**
 * Compares one page of the cloud read of a full pass with what the bridge last sent to each of our synced
 * users (matched by externalId = CIC id and the linked cloud id) and records the differences: a row per user
 * with drift, and no row for a user of this page without any. Returns how many users of the page drift.
 * Nothing is written to the cloud: DESIGN.md §3 lets cloud edits stand until the attribute changes in CIC.
 */
export async function recordDrift(db: Db, runId: string, page: readonly CloudUserAsRead[]): Promise<number> {
  const ours = page.filter((u) => u.externalId);
  if (!ours.length) return 0;
  const links = new Map((await loadLinks(db, ours.map((u) => u.externalId!))).map((l) => [l.cicId, l]));
  const drifted: { cic_id: string; genesys_id: string; attributes: string; run_id: string; detected_at: Date }[] = [];
  const clean: string[] = [];
  for (const cloud of ours) {
    const link = links.get(cloud.externalId!);
    if (!link || link.state !== 'synced' || link.genesysId !== cloud.id || !link.syncedValues) continue;
    const attributes = findDrift(link.syncedValues, cloud);
    if (attributes.length) {
      drifted.push({ cic_id: link.cicId, genesys_id: cloud.id, attributes: JSON.stringify(attributes), run_id: runId, detected_at: new Date() });
    } else clean.push(link.cicId);
  }
  if (clean.length) await db.deleteFrom('user_drift').where('cic_id', '=', sql<string>`ANY(${clean}::text[])`).execute();
  if (drifted.length) {
    await db
      .insertInto('user_drift')
      .values(drifted)
      .onConflict((oc) =>
        oc.column('cic_id').doUpdateSet((eb) => ({
          genesys_id: eb.ref('excluded.genesys_id'),
          run_id: eb.ref('excluded.run_id'),
          // The first time this very drift was seen stays; a different drift is new.
          detected_at: sql<Date>`CASE WHEN user_drift.attributes = excluded.attributes THEN user_drift.detected_at ELSE excluded.detected_at END`,
          attributes: eb.ref('excluded.attributes'),
        })),
      )
      .execute();
  }
  return drifted.length;
}

/** After a full pass's cloud read: drift of users it did not confirm (gone from the cloud, unlinked) is stale. */
export async function dropDriftNotSeenBy(db: Db, runId: string): Promise<void> {
  await db.deleteFrom('user_drift').where('run_id', '<>', runId).execute();
}

export async function listDrift(db: Db, opts: { cicIds?: string[]; limit?: number } = {}): Promise<UserDrift[]> {
  let q = db.selectFrom('user_drift').selectAll().orderBy('cic_id').limit(opts.limit ?? 100_000);
  if (opts.cicIds) {
    if (!opts.cicIds.length) return [];
    q = q.where('cic_id', '=', sql<string>`ANY(${opts.cicIds}::text[])`);
  }
  return (await q.execute()).map((r) => ({ cicId: r.cic_id, genesysId: r.genesys_id, attributes: r.attributes, runId: r.run_id, detectedAt: r.detected_at }));
}

export async function countDrift(db: Db): Promise<number> {
  const r = await db.selectFrom('user_drift').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
