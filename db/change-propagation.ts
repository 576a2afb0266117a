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
