import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  log,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createDirectoryActivities } from '../activities/directory';
import { dbActivity, longPage } from './activity-options';
import {
  backfillSignal,
  progressQuery,
  usersChangedSignal,
  type BackfillRequest,
  type DirectorySyncWorkflowInput,
  type PassSummary,
  type SyncProgress,
} from './directory-sync-api';

type DirectoryActivities = ReturnType<typeof createDirectoryActivities>;

const ioOptions = {
  ...longPage,
  retry: {
    ...longPage.retry,
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: ['PairingMissing', 'CicAuthenticationFailed', 'GenesysAuth', 'SecretError'],
  },
};
/** Before UNPAIR_SAFE: a cancelled workflow ended at once while its activity could still be writing. */
const legacy = { db: proxyActivities<DirectoryActivities>(dbActivity), io: proxyActivities<DirectoryActivities>(ioOptions) };
/**
 * From UNPAIR_SAFE: a cancelled workflow ends only once its running activity has stopped (activities see the
 * cancellation at their next heartbeat), so nothing writes sync state after the workflow has closed, which is
 * what `bridge unpair` waits for before it deletes that state.
 */
const waiting = {
  db: proxyActivities<DirectoryActivities>({ ...dbActivity, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }),
  io: proxyActivities<DirectoryActivities>({ ...ioOptions, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }),
};
export const UNPAIR_SAFE_PATCH = 'unpair-safe-2026-12';

/** An activity found no pairing (unpaired, or being unpaired): there is nothing left to sync. */
export function isPairingMissing(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'PairingMissing';
}

const MAX_PASSES_PER_RUN = 200;
const APPLY_CHUNK = 500;
/**
 * Above this many changed users a full pass is cheaper than a delta, and it keeps the activity input and
 * the continue-as-new carry bounded (PostgreSQL's parameter limit, Temporal's payload limit).
 */
export const DELTA_LIMIT = 1000;

/**
 * One long-lived workflow per pairing keeps the organization in step with the CIC directory. It waits for
 * change signals (ids from the watch), a backfill signal, or the reconciliation timer, and runs a pass:
 * stage CIC users in PostgreSQL, plan against the last synced values, apply the plan through SCIM in
 * chunks, record the outcome per user; a delta pass does it all in one activity. The plan lives in PostgreSQL, not in workflow history, so a pass
 * over thousands of users costs a handful of events; the workflow continues-as-new every few hundred passes
 * (or when Temporal suggests it), carrying over signals not yet served. Pairing or credential errors are
 * terminal for a pass's activities; everything else is retried. Reconciliation is due an interval after the
 * last full pass began, however busy the directory is, since it is the repair for a lost change. A change
 * that keeps failing fails that user (the apply activities record it), never the pass.
 */
export async function directorySyncWorkflow(input: DirectorySyncWorkflowInput): Promise<void> {
  const pending = new Set<string>(input.carry?.pendingUserIds ?? []);
  let full: BackfillRequest | undefined =
    input.carry?.full ?? (input.startWithFull ? { requestedBy: 'pairing' } : undefined);
  let passes = input.carry?.passes ?? 0;
  let lastPass: PassSummary | undefined = input.carry?.lastPass;
  let lastFullPass: PassSummary | undefined = input.carry?.lastFullPass;
  let current: SyncProgress['current'];
  // Histories recorded before these changes replay on the old path (the replay tests hold them).
  const hardened = patched('sync-hardening-2026-12');
  // Waits for cancelled activities, and ends when the pairing is gone instead of retrying every 30 seconds.
  const unpairSafe = patched(UNPAIR_SAFE_PATCH);
  const { db, io } = unpairSafe ? waiting : legacy;
  const reconcileMs = 1000 * (input.reconcileIntervalSeconds >= 60 ? input.reconcileIntervalSeconds : 3600);

  setHandler(usersChangedSignal, ({ userIds }) => {
    userIds.forEach((id) => pending.add(id));
    if (hardened && pending.size > DELTA_LIMIT) {
      full ??= { requestedBy: `more than ${DELTA_LIMIT} users changed` };
      pending.clear();
    }
  });
  setHandler(backfillSignal, (req) => {
    full = { ...full, ...req };
  });
  setHandler(progressQuery, () => ({
    orgShortName: input.orgShortName,
    state: current ? 'running' : 'waiting',
    current,
    lastPass,
    lastFullPass,
    passes,
    pendingUserIds: pending.size,
    fullPending: !!full,
  }));
  upsertSearchAttributes({ BridgeOrg: [input.orgShortName], BridgeKind: ['directory-sync'] });

  for (
    let runPasses = 0;
    runPasses < (input.maxPassesPerRun ?? MAX_PASSES_PER_RUN) && !workflowInfo().continueAsNewSuggested;
    runPasses++
  ) {
    let woke: boolean;
    if (hardened) {
      const dueInMs = lastFullPass ? Date.parse(lastFullPass.startedAt) + reconcileMs - Date.now() : reconcileMs;
      if (dueInMs <= 0) full ??= { requestedBy: 'reconciliation timer' };
      woke = await condition(() => pending.size > 0 || !!full, Math.max(dueInMs, 1));
    } else {
      woke = await condition(() => pending.size > 0 || !!full, `${input.reconcileIntervalSeconds} seconds`);
    }
    if (!woke) full = { requestedBy: 'reconciliation timer' };

    const request = full;
    const userIds = request ? undefined : [...pending];
    full = undefined;
    // A full pass reads everyone after these signals arrived, so it covers them.
    if (userIds || hardened) pending.clear();
    const kind = request ? 'full' : 'delta';
    const runId = uuid4();
    const startedAt = new Date().toISOString();
    current = { runId, kind, phase: 'reading CIC', planned: 0, applied: 0, startedAt };

    try {
      lastPass = await runPass(runId, kind, startedAt, userIds, request);
      if (kind === 'full') lastFullPass = lastPass;
    } catch (err) {
      // (Cancelled, e.g. by unpair: the sleep below ends the workflow as cancelled.)
      if (unpairSafe && isPairingMissing(err) && !CancellationScope.current().consideredCancelled) {
        // Unpaired (or a late change restarted the sync after unpair): nothing to sync, and retrying every
        // 30 seconds would loop for ever. A new pairing starts a new sync.
        log.info('the pairing is gone: the directory sync ends', { orgShortName: input.orgShortName, runId });
        current = undefined;
        return;
      }
      // A failed pass must not end the pairing's workflow: its work is put back and retried after a pause.
      userIds?.forEach((id) => pending.add(id));
      if (request) full = { ...request, ...(full ?? {}) };
      lastPass = {
        runId,
        kind,
        status: 'failed',
        read: 0,
        counts: {},
        failure:
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
        startedAt,
        finishedAt: new Date().toISOString(),
      };
      current = undefined;
      await sleep('30 seconds');
    }
    current = undefined;
    passes++;
  }
  await continueAsNew<typeof directorySyncWorkflow>({
    ...input,
    startWithFull: false,
    carry: { pendingUserIds: [...pending], full, passes, lastPass, lastFullPass },
  });

  async function runPass(
    runId: string,
    kind: 'full' | 'delta',
    startedAt: string,
    userIds: string[] | undefined,
    request: BackfillRequest | undefined,
  ): Promise<PassSummary> {
    const progress = current!;
    const workflowId = workflowInfo().workflowId;
    let outcome: { read: number; counts: PassSummary['counts']; blockedReason?: string };
    if (userIds) {
      // A few changed users: one activity, since four round trips would cost more than the work.
      progress.phase = 'syncing changed users';
      outcome = await io.syncUsers({ runId, workflowId, userIds });
    } else {
      await db.startSyncRun({ runId, kind, workflowId });
      const staged = await io.stageCicUsers({ runId });
      progress.phase = 'reading Genesys Cloud';
      await io.snapshotCloudUsers({ runId });
      progress.phase = 'planning';
      const plan = await io.planSyncRun({
        runId,
        purge: request?.purge ?? false,
        allowMassRemoval: request?.allowMassRemoval ?? false,
      });
      progress.phase = 'applying';
      progress.planned = plan.toApply;
      for (;;) {
        if (!hardened && progress.applied >= plan.toApply) break;
        const chunk = await io.applySyncChunk({ runId, limit: APPLY_CHUNK, useCloudSnapshot: true });
        progress.applied += chunk.processed;
        if (chunk.processed > 0) continue;
        // Only changes waiting for their next try are left: wait for the first (each is given up after a
        // few tries, so this ends).
        if (!chunk.waiting || !hardened) break;
        progress.phase = `applying: ${chunk.waiting.count} waiting to be tried again`;
        await sleep(Math.max(Date.parse(chunk.waiting.retryAt) - Date.now(), 1000));
        progress.phase = 'applying';
      }
      const counts = await db.finishSyncRun({ runId, blockedReason: plan.blockedReason });
      outcome = { read: staged.read, counts, blockedReason: plan.blockedReason };
    }
    return {
      runId,
      kind,
      status: outcome.blockedReason ? 'blocked' : 'completed',
      read: outcome.read,
      counts: outcome.counts,
      ...(outcome.blockedReason && { blockedReason: outcome.blockedReason }),
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
}
