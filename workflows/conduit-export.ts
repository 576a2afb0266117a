import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  sleep,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createConduitExportActivities } from '../activities/conduit-export';
import { longPage } from './activity-options';
import {
  conduitBackfillSignal,
  conduitProgressQuery,
  type ConduitExportWorkflowInput,
  type ConduitProgress,
} from './conduit-export-api';

type Activities = ReturnType<typeof createConduitExportActivities>;

const io = proxyActivities<Activities>({
  ...longPage,
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats every 2 s whatever it waits for (a 429's minute-long pause included).
  heartbeatTimeout: '30 seconds',
  // No end to the retries: a batch is never given up, it is resent with its key until Genesys answers.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['PairingMissing', 'GenesysAuth', 'SecretError', 'ConduitBadRange'],
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const MAX_ROUNDS_PER_RUN = 300;
const MAX_QUEUED_BACKFILLS = 20;

function failureType(err: unknown): string | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.type ?? undefined : undefined;
}

/**
 * The Conduit's export for one pairing: rounds of one activity each, which sends the outbox from the cursor
 * in recorded batches for a while and reports back, so a busy outbox costs a handful of history events per
 * round, not per batch. Batches, their keys and the cursor live in PostgreSQL, so a crash anywhere resends
 * the unanswered batch with its key and loses nothing. A `backfill` signal queues a re-export of a time range,
 * run between rounds. The workflow ends when the option is switched off or the pairing is gone, and
 * continues-as-new every few hundred rounds carrying the queued backfills and the progress.
 */
export async function conduitExportWorkflow(input: ConduitExportWorkflowInput): Promise<void> {
  const backfills = [...(input.carry?.backfills ?? [])];
  const progress: ConduitProgress = input.carry?.progress ?? {
    orgShortName: input.orgShortName,
    state: 'exporting',
    cursor: 0,
    backlog: 0,
    lagMs: 0,
    exported: 0,
    batches: 0,
    backfillsPending: 0,
  };
  setHandler(conduitBackfillSignal, (req) => {
    if (backfills.length >= MAX_QUEUED_BACKFILLS) {
      log.warn('conduit backfill refused: too many queued', { from: req.from, to: req.to });
      return;
    }
    backfills.push({ from: req.from, to: req.to, backfillId: req.backfillId ?? uuid4() });
  });
  setHandler(conduitProgressQuery, () => ({ ...progress, backfillsPending: backfills.length }));
  upsertSearchAttributes({ BridgeOrg: [input.orgShortName], BridgeKind: ['conduit-export'] });

  for (let round = 0; round < MAX_ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    try {
      if (backfills.length) {
        const b = backfills[0];
        progress.state = 'backfilling';
        const done = await io.backfillConduit({ ...b, maxBatchEvents: input.maxBatchEvents }).catch((err) => {
          // A range that cannot be read is dropped with a log line; anything else is the activity's to retry.
          if (failureType(err) !== 'ConduitBadRange') throw err;
          log.warn('conduit backfill dropped', { ...b, reason: String((err as ActivityFailure).cause?.message) });
          return { events: 0, batches: 0 };
        });
        backfills.shift();
        progress.lastBackfill = { ...b, events: done.events, batches: done.batches, finishedAt: new Date().toISOString() };
        continue;
      }
      progress.state = 'exporting';
      const r = await io.exportConduit({ maxBatchEvents: input.maxBatchEvents, runForMs: input.roundMs ?? 10_000 });
      Object.assign(progress, {
        cursor: r.cursor || progress.cursor,
        backlog: r.backlog,
        lagMs: r.lagMs,
        exported: progress.exported + r.events,
        batches: progress.batches + r.batches,
        reportedAt: new Date().toISOString(),
        failure: undefined,
        ...(r.lastBatch && { lastBatch: r.lastBatch }),
      });
      if (r.disabled) {
        log.info('the Conduit is switched off: the export ends', { orgShortName: input.orgShortName });
        progress.state = 'stopped';
        return;
      }
    } catch (err) {
      if (failureType(err) === 'PairingMissing' || isCancellation(err)) {
        log.info('the pairing is gone or the export was cancelled: the conduit export ends', { orgShortName: input.orgShortName });
        progress.state = 'stopped';
        if (isCancellation(err)) throw err;
        return;
      }
      // A terminal failure (credentials refused) must not end the export: it is reported and tried again later.
      progress.failure = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      log.warn('conduit export round failed; trying again in 30 seconds', { failure: progress.failure });
      await sleep('30 seconds');
    }
  }
  await continueAsNew<typeof conduitExportWorkflow>({ ...input, carry: { backfills, progress } });
}
