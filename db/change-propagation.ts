import { sql } from 'kysely';
import type { Db } from './database';

/**
 * CIC changes seen (handed over by the watch at `seenAt`). A user whose earlier change is still waiting keeps
 * its first time: the latency is measured from the oldest change the cloud has not acknowledged yet.
 */
export async function noteChangesSeen(db: Db, cicIds: readonly string[], seenAt: Date): Promise<void> {
  const ids = [...new Set(cicIds)].filter((id) => id !== '*');
  if (!ids.length) return;
  await db
    .insertInto('change_propagation')
    .values(ids.map((cic_id) => ({ cic_id, seen_at: seenAt, acknowledged_at: null, latency_ms: null })))
    .onConflict((oc) =>
      oc.column('cic_id').doUpdateSet({
        seen_at: sql<Date>`CASE WHEN change_propagation.acknowledged_at IS NULL THEN LEAST(change_propagation.seen_at, excluded.seen_at) ELSE excluded.seen_at END`,
        acknowledged_at: null,
        latency_ms: null,
      }),
    )
    .execute();
}

/**
 * The cloud acknowledged writes for these users: each one with a change waiting gets its latency, which is
 * returned (in seconds) for the histogram. Users without a waiting change (a full pass) cost one query.
 */
export async function acknowledgeChanges(db: Db, cicIds: readonly string[], at = new Date()): Promise<number[]> {
  if (!cicIds.length) return [];
  const rows = await sql<{ latency_ms: number }>`
    UPDATE change_propagation
    SET acknowledged_at = ${at}, latency_ms = GREATEST(0, (EXTRACT(EPOCH FROM (${at}::timestamptz - seen_at)) * 1000)::int)
    WHERE cic_id = ANY(${[...cicIds]}::text[]) AND acknowledged_at IS NULL
    RETURNING latency_ms`.execute(db);
  return rows.rows.map((r) => r.latency_ms / 1000);
}

/**
 * After a pass: the changes it covered that needed no cloud write (no business email, an unmapped property,
 * a deactivation) are settled without a latency; changes that failed in the pass stay waiting. A delta pass
 * covers the ids it was given; a full pass, every change seen before it began reading.
 */
export async function settleUnwritten(db: Db, runId: string, coveredIds?: readonly string[]): Promise<void> {
  const covered = coveredIds ? sql`cp.cic_id = ANY(${[...coveredIds]}::text[])` : sql`cp.seen_at < r.started_at`;
  await sql`
    UPDATE change_propagation AS cp SET acknowledged_at = now(), latency_ms = NULL
    FROM sync_runs AS r
    WHERE r.id = ${runId} AND cp.acknowledged_at IS NULL AND ${covered}
      AND NOT EXISTS (
        SELECT 1 FROM sync_changes AS s
        WHERE s.run_id = ${runId} AND s.cic_id = cp.cic_id AND s.status IN ('planned', 'failed'))`.execute(db);
}

export interface PropagationSummary {
  last?: { latencyMs: number; acknowledgedAt: Date };
  /** Changes seen and not acknowledged yet, with the oldest one's time. */
  waiting: number;
  oldestWaitingSince?: Date;
}

export async function propagationSummary(db: Db): Promise<PropagationSummary> {
  const last = await db
    .selectFrom('change_propagation')
    .select(['latency_ms', 'acknowledged_at'])
    .where('acknowledged_at', 'is not', null)
    .where('latency_ms', 'is not', null)
    .orderBy('acknowledged_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const waiting = await db
    .selectFrom('change_propagation')
    .select([(eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.min('seen_at').as('oldest')])
    .where('acknowledged_at', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    last: last?.acknowledged_at ? { latencyMs: last.latency_ms ?? 0, acknowledgedAt: last.acknowledged_at } : undefined,
    waiting: Number(waiting.n),
    oldestWaitingSince: (waiting.oldest as Date | null) ?? undefined,
  };
}
