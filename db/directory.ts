import { sql } from 'kysely';
import type { Db } from './database';
import type { DesiredScimUser, EmailHolder, LinkState, StagedUser, UserLink } from '../domain';

export interface StagedRow {
  cicId: string;
  /** recordHash of the raw record: what the watch compares a reconnect snapshot with. */
  contentHash: string;
  staged: StagedUser;
}

/**
 * Stages mapped CIC users as present. A row whose record and mapping options are unchanged is left as it
 * is, so a no-op pass writes nothing here.
 */
export async function stageUsers(db: Db, rows: StagedRow[], stagedWith: string): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('cic_users')
    .values(
      rows.map((r) => ({
        cic_id: r.cicId,
        record: null,
        content_hash: r.contentHash,
        staged: JSON.stringify(r.staged),
        email_key: r.staged.status === 'ok' ? r.staged.scim.userName.toLowerCase() : null,
        staged_with: stagedWith,
        present: true,
        seen_at: new Date(),
        removed_at: null,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('cic_id')
        .doUpdateSet((eb) => ({
          record: null,
          content_hash: eb.ref('excluded.content_hash'),
          staged: eb.ref('excluded.staged'),
          email_key: eb.ref('excluded.email_key'),
          staged_with: eb.ref('excluded.staged_with'),
          present: true,
          seen_at: eb.ref('excluded.seen_at'),
          removed_at: null,
        }))
        .where((eb) =>
          eb.or([
            eb('cic_users.present', '=', false),
            eb('cic_users.content_hash', 'is distinct from', eb.ref('excluded.content_hash')),
            eb('cic_users.staged_with', 'is distinct from', eb.ref('excluded.staged_with')),
          ]),
        ),
    )
    .execute();
}

/** Content hashes of the present users among `cicIds` that were staged with these mapping options. */
export async function unchangedStaged(db: Db, cicIds: readonly string[], stagedWith: string): Promise<Map<string, string>> {
  if (!cicIds.length) return new Map();
  const rows = await db
    .selectFrom('cic_users')
    .select(['cic_id', 'content_hash'])
    .where('cic_id', '=', sql<string>`ANY(${[...cicIds]}::text[])`)
    .where('present', '=', true)
    .where('staged_with', '=', stagedWith)
    .where('staged', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.cic_id, r.content_hash]));
}

/**
 * After a full read: every present user the read did not see has left CIC. The seen ids go to a temporary
 * table first, so PostgreSQL can hash the anti-join (an `= ANY(array)` test is linear per row: quadratic).
 */
export async function markUnseenRemoved(db: Db, seen: readonly string[]): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`CREATE TEMPORARY TABLE seen_cic_ids (cic_id text PRIMARY KEY) ON COMMIT DROP`.execute(trx);
    for (let i = 0; i < seen.length; i += 10_000) {
      await sql`INSERT INTO seen_cic_ids SELECT unnest(${seen.slice(i, i + 10_000)}::text[]) ON CONFLICT DO NOTHING`.execute(trx);
    }
    await sql`ANALYZE seen_cic_ids`.execute(trx);
    const r = await sql`
      UPDATE cic_users c SET present = false, removed_at = now()
      WHERE c.present AND NOT EXISTS (SELECT 1 FROM seen_cic_ids s WHERE s.cic_id = c.cic_id)`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
}

export async function markRemoved(db: Db, cicIds: string[]): Promise<void> {
  if (!cicIds.length) return;
  await db.updateTable('cic_users').set({ present: false, removed_at: new Date() }).where('cic_id', '=', sql<string>`ANY(${cicIds}::text[])`).execute();
}

/** The link columns the planner reads (not the trace, the problems or the version). */
const PLANNER_LINK_COLUMNS = ['cic_id', 'genesys_id', 'email', 'state', 'reason', 'synced_hash', 'synced_values', 'active', 'failures', 'retry_at']
  .map((c) => `l.${c}`)
  .join(', ');

/**
 * One page of present staged users with their links, in CIC id order after `after`; optionally only
 * `cicIds`. Users synced with exactly what CIC holds now are left in PostgreSQL: they need nothing.
 */
export async function stagedPage(
  db: Db,
  after: string,
  limit: number,
  cicIds?: readonly string[],
): Promise<{ staged: StagedUser; link: LinkRow | undefined }[]> {
  const rows = await sql<any>`
    SELECT c.cic_id AS staged_id, c.staged, ${sql.raw(PLANNER_LINK_COLUMNS)}
    FROM cic_users c LEFT JOIN user_links l ON l.cic_id = c.cic_id
    WHERE c.present AND c.staged IS NOT NULL AND c.cic_id > ${after}
      AND NOT coalesce(l.state = 'synced' AND l.active AND l.synced_hash = c.staged->>'hash', false)
      ${cicIds ? sql`AND c.cic_id = ANY(${[...cicIds]}::text[])` : sql``}
    ORDER BY c.cic_id LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({ staged: r.staged as StagedUser, link: r.cic_id ? toLink(r) : undefined }));
}

/**
 * Every present holder of a business email that more than one present CIC user has, with its link;
 * with `cicIds`, only the emails those users have.
 */
export async function duplicateEmailHolders(db: Db, cicIds?: readonly string[]): Promise<EmailHolder[]> {
  const rows = await sql<any>`
    SELECT c.cic_id AS staged_id, c.staged->'scim'->>'userName' AS staged_email, l.*
    FROM cic_users c LEFT JOIN user_links l ON l.cic_id = c.cic_id
    WHERE c.present AND c.email_key IN (
      SELECT email_key FROM cic_users WHERE present AND email_key IS NOT NULL
        ${cicIds ? sql`AND email_key IN (SELECT email_key FROM cic_users WHERE cic_id = ANY(${[...cicIds]}::text[]))` : sql``}
      GROUP BY email_key HAVING count(*) > 1)`.execute(db);
  return rows.rows.map((r) => ({ cicId: r.staged_id, email: r.staged_email, link: r.cic_id ? toLink(r) : undefined }));
}

const goneFilter = (cicIds?: readonly string[]) =>
  sql`(c.cic_id IS NULL OR NOT c.present) ${cicIds ? sql`AND l.cic_id = ANY(${[...cicIds]}::text[])` : sql``}`;

/** Links of users no longer present in CIC, a page at a time in CIC id order. */
export async function goneLinksPage(db: Db, after: string, limit: number, cicIds?: readonly string[]): Promise<LinkRow[]> {
  const rows = await sql<any>`
    SELECT l.* FROM user_links l LEFT JOIN cic_users c ON c.cic_id = l.cic_id
    WHERE ${goneFilter(cicIds)} AND l.cic_id > ${after}
    ORDER BY l.cic_id LIMIT ${limit}`.execute(db);
  return rows.rows.map(toLink);
}

/** Linked active cloud users whose CIC user is gone: what the mass-removal safeguard weighs. */
export async function countGoneActive(db: Db, serviceUserName: string, cicIds?: readonly string[]): Promise<number> {
  const r = await sql<{ n: string }>`
    SELECT count(*) AS n FROM user_links l LEFT JOIN cic_users c ON c.cic_id = l.cic_id
    WHERE ${goneFilter(cicIds)} AND l.genesys_id IS NOT NULL AND l.active
      AND lower(trim(l.cic_id)) <> lower(trim(${serviceUserName}))`.execute(db);
  return Number(r.rows[0].n);
}

export interface LinkRow extends UserLink {
  reason: string | null;
  problems: string[];
  version: string | null;
  lastSyncedAt: Date | null;
  lastTrace: unknown[] | null;
  /** Passes in a row on which the user's change was given up on; `retryAt` is when a full pass tries again. */
  failures: number;
  retryAt: Date | null;
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
    failures: row.failures ?? 0,
    retryAt: row.retry_at ?? null,
  };
}

export async function loadLinks(db: Db, cicIds?: string[]): Promise<LinkRow[]> {
  if (cicIds && !cicIds.length) return [];
  let q = db.selectFrom('user_links').selectAll();
  if (cicIds) q = q.where('cic_id', '=', sql<string>`ANY(${cicIds}::text[])`);
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
  if (u.failures !== undefined) set.failures = u.failures;
  if (u.retryAt !== undefined) set.retry_at = u.retryAt;
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

/**
 * How a watch snapshot (id and recordHash per CIC user) differs from what is staged: users new, changed or
 * back, and present users the snapshot no longer has. The snapshot goes to a temporary table page by page
 * and PostgreSQL compares, so the staged directory is never loaded into memory. Returns at most `limit` ids,
 * with the number of differences in all.
 */
export async function snapshotDifferences(
  db: Db,
  pages: Iterable<{ cicIds: string[]; hashes: string[] }>,
  limit: number,
): Promise<{ count: number; cicIds: string[] }> {
  return db.transaction().execute(async (trx) => {
    await sql`CREATE TEMPORARY TABLE snapshot_cic_users (cic_id text PRIMARY KEY, content_hash text NOT NULL) ON COMMIT DROP`.execute(trx);
    for (const page of pages) {
      if (!page.cicIds.length) continue;
      await sql`
        INSERT INTO snapshot_cic_users SELECT * FROM unnest(${page.cicIds}::text[], ${page.hashes}::text[])
        ON CONFLICT DO NOTHING`.execute(trx);
    }
    await sql`ANALYZE snapshot_cic_users`.execute(trx);
    const r = await sql<{ cic_id: string; n: string }>`
      SELECT cic_id, count(*) OVER () AS n FROM (
        SELECT s.cic_id FROM snapshot_cic_users s LEFT JOIN cic_users c ON c.cic_id = s.cic_id
        WHERE c.cic_id IS NULL OR NOT c.present OR c.content_hash IS DISTINCT FROM s.content_hash
        UNION ALL
        SELECT c.cic_id FROM cic_users c
        WHERE c.present AND NOT EXISTS (SELECT 1 FROM snapshot_cic_users s WHERE s.cic_id = c.cic_id)
      ) d
      ORDER BY cic_id LIMIT ${limit}`.execute(trx);
    return { count: Number(r.rows[0]?.n ?? 0), cicIds: r.rows.map((row) => row.cic_id) };
  });
}
