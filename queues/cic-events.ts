import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { getPairing } from '../db/pairing';
import { noteChangesSeen } from '../db/change-propagation';
import { directorySyncWorkflow } from '../workflows';
import { backfillSignal, directorySyncWorkflowId, usersChangedSignal } from '../workflows/directory-sync-api';
import { queueNames } from './connection';
import { createLogger } from '../lib/logger';

const log = createLogger('cic-events');

export type CicEventJob =
  | { kind: 'users-changed'; org: string; userIds: string[] }
  | { kind: 'resync'; org: string; reason: string };

/**
 * Fans CIC changes out to their handlers. User changes become a signal to the pairing's directory sync
 * workflow (started if it is not running), so a change reaches the cloud without waiting for a timer. A
 * change for no pairing (unpaired, being unpaired, or paired with another organization since) is dropped
 * with a log line: starting a sync for it would only start a workflow with nothing to sync.
 */
export function startCicEventsWorker(deps: { db: Db; connection: Redis; prefix: string; temporal: Client; taskQueue: string }): Worker {
  return new Worker<CicEventJob>(
    queueNames.cicEvents,
    async (job) => {
      const pairing = await getPairing(deps.db);
      if (!pairing || pairing.orgShortName !== job.data.org) {
        const reason = pairing ? `paired with ${pairing.orgShortName} now` : 'not paired (or being unpaired)';
        log.info({ jobId: job.id, kind: job.data.kind, org: job.data.org, reason }, 'CIC change dropped: no pairing with this organization');
        return { skipped: `not paired with this organization: ${reason}` };
      }
      const start = {
        workflowId: directorySyncWorkflowId(pairing.orgShortName),
        taskQueue: deps.taskQueue,
        args: [{ orgShortName: pairing.orgShortName, reconcileIntervalSeconds: pairing.options.reconcileIntervalSeconds }] as const,
        searchAttributes: { BridgeOrg: [pairing.orgShortName], BridgeKind: ['directory-sync'] },
      };
      if (job.data.kind === 'users-changed') {
        // When the watch handed the change over: the start of its propagation latency (health, /metrics).
        await noteChangesSeen(deps.db, job.data.userIds, new Date(job.timestamp));
        await deps.temporal.workflow.signalWithStart(directorySyncWorkflow, {
          ...start,
          args: [...start.args],
          signal: usersChangedSignal,
          signalArgs: [{ userIds: job.data.userIds }],
        });
        return { signalled: job.data.userIds.length };
      }
      await deps.temporal.workflow.signalWithStart(directorySyncWorkflow, {
        ...start,
        args: [...start.args],
        signal: backfillSignal,
        signalArgs: [{ requestedBy: job.data.reason }],
      });
      return { resync: true };
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 4 },
  );
}
