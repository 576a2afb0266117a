import { sql } from 'kysely';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Db } from '../../db/database';
import { countLinksByState } from '../../db/directory';
import { countDrift } from '../../db/drift';
import { propagationSummary } from '../../db/change-propagation';
import { directorySyncWorkflowId } from '../../workflows/directory-sync-api';
import { duration } from './pairing-rows';
import type { HealthProvider } from './providers';

/** A change not acknowledged by the cloud after this long is worth a look. */
const CHANGE_WAIT_WARN_MS = 5 * 60_000;

/** The most common reasons of users in Error (conflicts included) and Not synced, as `bridge users` words them. */
export async function topReasons(db: Db, limit = 3): Promise<{ state: string; reason: string; users: number }[]> {
  const rows = await db
    .selectFrom('user_links')
    .select(['state', sql<string>`coalesce(reason, '(no reason)')`.as('reason'), sql<string>`count(*)`.as('n')])
    .where('state', 'in', ['error', 'conflict', 'not-synced'])
    // A retry time in the reason makes every one unique; the words before it are the reason.
    .groupBy(['state', sql`coalesce(reason, '(no reason)')`])
    .orderBy(sql`count(*)`, 'desc')
    .limit(limit * 4)
    .execute();
  const merged = new Map<string, { state: string; reason: string; users: number }>();
  for (const r of rows) {
    const state = r.state === 'not-synced' ? 'Not synced' : 'Error';
    const reason = r.reason.replace(/; tried again on a later pass \(after [^)]*\)$/, '');
    const key = `${state}|${reason}`;
    const m = merged.get(key) ?? { state, reason, users: 0 };
    m.users += Number(r.n);
    merged.set(key, m);
  }
  return [...merged.values()].sort((a, b) => b.users - a.users).slice(0, limit);
}

/** The directory sync: its workflow, the last full pass, users by state with the top reasons, change latency, drift. */
export const directoryRow: HealthProvider = {
  name: 'Directory sync',
  async check(ctx) {
    const p = await ctx.pairing();
    if (!p) return { status: 'amber', reason: 'not paired: run `bridge pair`', facts: {} };
    const { db, temporal } = ctx.deps;
    const [workflow, lastFull, counts, reasons, latency, drift] = await Promise.all([
      temporal.workflow
        .getHandle(directorySyncWorkflowId(p.orgShortName))
        .describe()
        .then((d) => d.status.name as string)
        .catch((err) => (err instanceof WorkflowNotFoundError ? 'NOT STARTED' : Promise.reject(err))),
      db.selectFrom('sync_runs').selectAll().where('kind', '=', 'full').orderBy('started_at', 'desc').limit(1).executeTakeFirst(),
      countLinksByState(db),
      topReasons(db),
      propagationSummary(db),
      countDrift(db),
    ]);
    const synced = counts.synced ?? 0;
    const errors = (counts.error ?? 0) + (counts.conflict ?? 0);
    const notSynced = counts['not-synced'] ?? 0;
    const facts = {
      workflow: workflow.toLowerCase(),
      lastFullPassStartedAt: lastFull?.started_at.toISOString() ?? null,
      lastFullPassFinishedAt: lastFull?.finished_at?.toISOString() ?? null,
      lastFullPassStatus: lastFull?.status ?? null,
      synced,
      error: errors,
      notSynced,
      deactivated: counts.deactivated ?? 0,
      topReasons: reasons.map((r) => `${r.state}: ${r.reason} (${r.users})`).join(' | ') || null,
      lastChangeLatencyMs: latency.last?.latencyMs ?? null,
      lastChangeAcknowledgedAt: latency.last?.acknowledgedAt.toISOString() ?? null,
      changesWaiting: latency.waiting,
      usersWithCloudDrift: drift,
    };
    const driftNote = drift ? `; ${drift} user${drift > 1 ? 's' : ''} edited in the cloud (bridge drift)` : '';
    const latencyNote = latency.last ? `; last change reached the cloud in ${(latency.last.latencyMs / 1000).toFixed(1)} s` : '';
    const summary = `${synced} Synced, ${errors} Error, ${notSynced} Not synced${latencyNote}${driftNote}`;
    if (workflow !== 'RUNNING') return { status: 'red', reason: `the directory sync workflow is ${workflow.toLowerCase()}; ${summary}`, facts };
    if (lastFull?.status === 'blocked') return { status: 'amber', reason: `the last full pass waits for an operator: ${lastFull.blocked_reason}`, facts };
    if (!lastFull?.finished_at) return { status: 'amber', reason: `the first full pass is running; ${summary}`, facts };
    const interval = p.options.reconcileIntervalSeconds * 1000;
    if (Date.now() - lastFull.started_at.getTime() > 2 * interval + 3600_000) {
      return { status: 'amber', reason: `no full pass for ${duration(Math.round((Date.now() - lastFull.started_at.getTime()) / 1000))} (due every ${duration(interval / 1000)}); ${summary}`, facts };
    }
    if (latency.oldestWaitingSince && Date.now() - latency.oldestWaitingSince.getTime() > CHANGE_WAIT_WARN_MS) {
      const waited = Math.round((Date.now() - latency.oldestWaitingSince.getTime()) / 1000);
      return { status: 'amber', reason: `${latency.waiting} CIC change${latency.waiting > 1 ? 's' : ''} not in the cloud yet, the oldest for ${duration(waited)}; ${summary}`, facts };
    }
    if (errors) return { status: 'amber', reason: `${summary}; top reason: ${reasons.find((r) => r.state === 'Error')?.reason ?? reasons[0]?.reason}`, facts };
    return { status: 'green', reason: `last full pass ${lastFull.finished_at.toISOString()}; ${summary}`, facts };
  },
};
