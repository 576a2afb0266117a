import { ActivityCancellationType, patched, proxyActivities, upsertSearchAttributes, type ActivityOptions } from '@temporalio/workflow';
import type { createCicWatchActivities } from '../activities/cic-watch';

type WatchActivities = ReturnType<typeof createCicWatchActivities>;
const options: ActivityOptions = {
  // Runs for as long as the pairing lives; the heartbeat is what moves it to another worker when one dies.
  startToCloseTimeout: '3650 days',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['PairingMissing'] },
};
const legacy = proxyActivities<WatchActivities>(options);
// A cancelled watch ends once its activity has closed the session and handed over its last batch, so that
// `bridge unpair`, which waits for it, knows the watch queues nothing more.
const waiting = proxyActivities<WatchActivities>({ ...options, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });

export const cicWatchWorkflowId = (org: string) => `cic-watch/${org}`;

/**
 * Keeps the pairing's ICWS watch running: one activity that holds the session, retried forever with backoff
 * (bad credentials included, since an operator may fix the password in CIC). Cancelling the workflow (unpair)
 * cancels the activity, which closes the session.
 */
export async function cicWatchWorkflow(input: { orgShortName: string }): Promise<void> {
  const { watchCicDirectory } = patched('unpair-safe-2026-12') ? waiting : legacy;
  upsertSearchAttributes({ BridgeOrg: [input.orgShortName], BridgeKind: ['cic-watch'] });
  await watchCicDirectory({ orgShortName: input.orgShortName });
}
