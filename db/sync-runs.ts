import { sql } from 'kysely';
import type { Db } from './database';

export type SyncRunKind = 'full' | 'delta' | 'dry-run';

export async function createRun(
  db: Db,
  run: { id: string; kind: SyncRunKind; workflowId: string | null },
): Promise<void> {
  await db
    .insertInto('sync_runs')
    .values({ id: run.id, kind: run.kind, workflow_id: run.workflowId, status: 'running', counts: '{}' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function finishRun(
  db: Db,
  id: string,
  status: 'completed' | 'blocked' | 'failed',
  counts: Record<string, number>,
  blockedReason?: string,
): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({
      status,
      counts: JSON.stringify(counts),
      blocked_reason: blockedReason ?? null,
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export interface PlannedChange {
  cicId: string;
  action: string;
  status: 'planned' | 'done' | 'failed';
  before?: object | null;
  after?: object | null;
  changes?: object | null;
  error?: string | null;
  /** Tries so far (a chunk that reached the change counts one). */
  attempts?: number;
}

export async function insertChanges(db: Db, runId: string, changes: PlannedChange[]): Promise<void> {
  // One transaction: a retried plan finds either the whole plan or none of it.
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < changes.length; i += 1000) {
      await trx
        .insertInto('sync_changes')
        .values(
          changes.slice(i, i + 1000).map((c) => ({
            run_id: runId,
            cic_id: c.cicId,
            action: c.action,
            status: c.status,
            before: c.before ? JSON.stringify(c.before) : null,
            after: c.after ? JSON.stringify(c.after) : null,
            changes: c.changes ? JSON.stringify(c.changes) : null,
            error: c.error ?? null,
          })),
        )
        .onConflict((oc) => oc.columns(['run_id', 'cic_id']).doNothing())
        .execute();
    }
  });
}

/**
 * The next planned changes of a run that are due, in CIC id order, for one apply chunk; with `anyTime`,
 * also those waiting for a later try.
 */
export async function nextPlanned(db: Db, runId: string, limit: number, anyTime = false): Promise<(PlannedChange & { attempts: number })[]> {
  let q = db
    .selectFrom('sync_changes')
    .selectAll()
    .where('run_id', '=', runId)
    .where('status', '=', 'planned');
  if (!anyTime) q = q.where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', sql<Date>`now()`)]));
  const rows = await q
    // Updates and removals go before creates, so an email moved from one user to another is free again.
    .orderBy(sql`action = 'create'`)
    .orderBy('cic_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    cicId: r.cic_id,
    action: r.action,
    status: r.status as PlannedChange['status'],
    before: r.before,
    after: r.after,
    changes: r.changes,
    error: r.error,
    attempts: r.attempts,
  }));
}

/** One more try (or, with -1, one less: an outage is not the change's fault) for these changes. */
export async function countTry(db: Db, runId: string, cicIds: string[], by: 1 | -1 = 1): Promise<void> {
  if (!cicIds.length) return;
  await db
    .updateTable('sync_changes')
    .set({ attempts: sql`greatest(attempts + ${by}, 0)` })
    .where('run_id', '=', runId)
    .where('cic_id', '=', sql<string>`ANY(${cicIds}::text[])`)
    .execute();
}

/** A change that failed stays planned until `retryAt`, with the failure kept for the operator. */
export async function deferChange(db: Db, runId: string, cicId: string, retryAt: Date, error: string): Promise<void> {
  await db.updateTable('sync_changes').set({ retry_at: retryAt, error }).where('run_id', '=', runId).where('cic_id', '=', cicId).execute();
}

/** Planned changes not yet due, and when the first of them is. */
export async function waitingChanges(db: Db, runId: string): Promise<{ count: number; retryAt: string } | undefined> {
  const r = await db
    .selectFrom('sync_changes')
    .select([sql<string>`count(*)`.as('n'), sql<Date | null>`min(retry_at)`.as('first')])
    .where('run_id', '=', runId)
    .where('status', '=', 'planned')
    .executeTakeFirstOrThrow();
  return Number(r.n) > 0 ? { count: Number(r.n), retryAt: new Date(r.first ?? Date.now()).toISOString() } : undefined;
}

export async function countChanges(db: Db, runId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('sync_changes')
    .select(['action', 'status', sql<string>`count(*)`.as('n')])
    .where('run_id', '=', runId)
    .groupBy(['action', 'status'])
    .execute();
  const counts: Record<string, number> = {};
  for (const r of rows) {
    const key = r.status === 'planned' ? 'pending' : r.status === 'failed' ? `${r.action}:failed` : r.action;
    counts[key] = (counts[key] ?? 0) + Number(r.n);
  }
  return counts;
}

export async function lastChangesFor(db: Db, cicId: string, limit = 5) {
  return db
    .selectFrom('sync_changes')
    .innerJoin('sync_runs', 'sync_runs.id', 'sync_changes.run_id')
    .select([
      'sync_changes.run_id',
      'sync_runs.kind',
      'action',
      'sync_changes.status',
      'before',
      'after',
      'changes',
      'error',
      'at',
    ])
    .where('cic_id', '=', cicId)
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
}

export async function latestRun(db: Db) {
  return db.selectFrom('sync_runs').selectAll().orderBy('started_at', 'desc').limit(1).executeTakeFirst();
}

/**
 * Users deactivated or deleted by the bridge in the last `minutes`, since the last removal an operator
 * confirmed: a confirmation starts the count afresh.
 */
export async function countRecentRemovals(db: Db, minutes: number): Promise<number> {
  const r = await db
    .selectFrom('sync_changes')
    .select(sql<string>`count(*)`.as('n'))
    .where('action', 'in', ['deactivate', 'delete'])
    .where('status', '=', 'done')
    .where('at', '>', sql<Date>`now() - make_interval(mins => ${minutes})`)
    .where(
      'at',
      '>',
      sql<Date>`coalesce((SELECT max(started_at) FROM sync_runs WHERE removal_confirmed), '-infinity'::timestamptz)`,
    )
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function markRemovalConfirmed(db: Db, runId: string): Promise<void> {
  await db.updateTable('sync_runs').set({ removal_confirmed: true }).where('id', '=', runId).execute();
}
