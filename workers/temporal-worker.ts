import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Config } from '../lib/config';
import { createActivities, type ActivityDeps } from '../activities';
import { workflowBundlePath } from './workflow-bundle';

export const workflowsPath = require.resolve('../workflows');

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
    shutdownForceTime: '15 seconds',
    workflowBundle: workflowBundle ?? { codePath: workflowBundlePath() },
  });
  return { worker, connection };
}
