import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Config } from '../lib/config';
import { createActivities, type ActivityDeps } from '../activities';
import { workflowBundlePath } from './workflow-bundle';
import { dataConverterFor } from '../lib/payload-codec';

export const workflowsPath = require.resolve('../workflows');

/** How often at most a worker sends an activity's heartbeats to the server. */
export const HEARTBEAT_THROTTLE = '2 seconds';

/** Bundles the workflow code once; tests share one bundle across their workers. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    process.stderr.write(`[bundler] ${message}\n`);
  },
  error(message: string) {
    process.stderr.write(`[bundler] ${message}\n`);
  },
};

export interface TemporalWorkerHandle {
  worker: Worker;
  connection: NativeConnection;
}

/** A Temporal worker on the configured task queue, with the workflows bundled once per source version. */
export async function createTemporalWorker(
  config: Config,
  deps: ActivityDeps,
  workflowBundle?: WorkflowBundleWithSourceMap,
): Promise<TemporalWorkerHandle> {
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createActivities(deps),
    // Activities get this long to notice a shutdown (they check their cancellation signal) before the
    // worker stops waiting for them; the watch and long passes resume elsewhere from their heartbeats.
    shutdownGraceTime: '5 seconds',
    // Heartbeats (every 2-3 s) go out at least this often rather than at 80% of the heartbeat timeout
    // (24 s for a 30 s one): their answers are how a running activity learns it was cancelled, and unpair
    // waits for that (HEARTBEAT_THROTTLE).
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    shutdownForceTime: '15 seconds',
    workflowBundle: workflowBundle ?? { codePath: workflowBundlePath() },
    dataConverter: dataConverterFor(config),
  });
  return { worker, connection };
}
