import { sql } from 'kysely';
import type { Db } from './database';

/** The backlog id that stands for "a full pass is needed" (ICWS's wildcard: never a user id). */
export const FULL_PASS = '*';

/**
 * One backlog entry as read. `notedAt` is PostgreSQL's own text of the timestamp, microseconds included, so
 * clearing an entry compares it exactly: an entry noted again after it was read (a newer change) stays.
 */
export interface BacklogEntry {
  cicId: string;
  notedAt: string;
}

/** Records changes the watch could not hand over; noting an id again moves its time forward. */
export async function noteBacklog(db: Db, cicIds: readonly string[], fullPass = false): Promise<void> {
  const ids = fullPass ? [...cicIds, FULL_PASS] : [...cicIds];
  for (let i = 0; i < ids.length; i += 10_000) {
    await sql`
      INSERT INTO watch_backlog (cic_id, noted_at)
      SELECT DISTINCT unnest(${ids.slice(i, i + 10_000)}::text[]), now()
      ON CONFLICT (cic_id) DO UPDATE SET noted_at = excluded.noted_at`.execute(db);
  }
}

/** The oldest entries, `limit` at most; `idsOnly` leaves the full-pass entry out. */
export async function backlogPage(db: Db, limit: number, opts: { idsOnly?: boolean } = {}): Promise<BacklogEntry[]> {
  const r = await sql<{ cic_id: string; noted: string }>`
    SELECT cic_id, noted_at::text AS noted FROM watch_backlog
    ${opts.idsOnly ? sql`WHERE cic_id <> ${FULL_PASS}` : sql``}
    ORDER BY noted_at, cic_id LIMIT ${limit}`.execute(db);
  return r.rows.map((row) => ({ cicId: row.cic_id, notedAt: row.noted }));
}

/** Removes entries a later stage has accepted, unless they were noted again since they were read. */
export async function clearBacklog(db: Db, entries: readonly BacklogEntry[]): Promise<void> {
  if (!entries.length) return;
  await sql`
    DELETE FROM watch_backlog b
    USING unnest(${entries.map((e) => e.cicId)}::text[], ${entries.map((e) => e.notedAt)}::timestamptz[]) AS t(cic_id, noted_at)
    WHERE b.cic_id = t.cic_id AND b.noted_at <= t.noted_at`.execute(db);
}

/** PostgreSQL's clock now, as a cutoff for `clearBacklogNotedBy` (a full pass takes it before it reads CIC). */
export async function backlogCutoff(db: Db): Promise<string> {
  const r = await sql<{ now: string }>`SELECT now()::text AS now`.execute(db);
  return r.rows[0].now;
}

/** A full pass that began reading CIC at `cutoff` covers everything noted until then. */
export async function clearBacklogNotedBy(db: Db, cutoff: string): Promise<number> {
  const r = await sql`DELETE FROM watch_backlog WHERE noted_at <= ${cutoff}::timestamptz`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function countBacklog(db: Db): Promise<{ ids: number; fullPass: boolean }> {
  const r = await sql<{ ids: string; full: boolean }>`
    SELECT count(*) FILTER (WHERE cic_id <> ${FULL_PASS}) AS ids, bool_or(cic_id = ${FULL_PASS}) AS full FROM watch_backlog`.execute(db);
  return { ids: Number(r.rows[0].ids), fullPass: r.rows[0].full ?? false };
}
