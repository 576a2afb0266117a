import type { Db } from '../db/database';
import { acknowledgeChanges, settleUnwritten } from '../db/change-propagation';
import { changePropagationSeconds, syncChanges, syncPassSeconds } from '../lib/metrics';

/**
 * The cloud acknowledged writes for these users (their outcomes are recorded): each one's waiting CIC change
 * gets its propagation latency, in PostgreSQL for the health page and in the histogram for /metrics.
 */
export async function observeAcknowledged(db: Db, cicIds: readonly string[]): Promise<void> {
  for (const seconds of await acknowledgeChanges(db, cicIds)) changePropagationSeconds.observe(seconds);
}

/**
 * A pass finished: its duration and per-user outcomes, by kind; the changes it covered without a cloud write
 * stop counting as waiting (`coveredIds`: a delta pass's users; a full pass covers everything seen before it).
 */
export async function observePassFinished(db: Db, runId: string, counts: Record<string, number>, coveredIds?: readonly string[]): Promise<void> {
  const run = await db.selectFrom('sync_runs').select(['kind', 'status', 'started_at', 'finished_at']).where('id', '=', runId).executeTakeFirst();
  if (!run?.finished_at) return;
  if (run.kind === 'full' || coveredIds) await settleUnwritten(db, runId, run.kind === 'full' ? undefined : coveredIds);
  syncPassSeconds.observe({ kind: run.kind, status: run.status }, Math.max(0, run.finished_at.getTime() - run.started_at.getTime()) / 1000);
  for (const [action, n] of Object.entries(counts)) if (n > 0) syncChanges.inc({ kind: run.kind, action }, n);
}
