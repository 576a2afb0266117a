import { createLogger } from '../lib/logger';
import type { Worker } from 'bullmq';
import type { Config } from '../lib/config';
import type { Db } from '../db/database';
import { createRedis, reportErrors } from '../queues/connection';
import { startPlumbingWorker } from '../queues/plumbing';
import { startCicEventsWorker } from '../queues/cic-events';
import type { Client } from '@temporalio/client';
import type { PairingContext } from '../activities/pairing-context';
import { startPresenceWorker } from '../queues/presence';

export interface QueueWorkersHandle {
  workers: Worker[];
  close(): Promise<void>;
}

/** Starts every BullMQ worker on one shared blocking connection; closing closes workers before it. */
export function startQueueWorkers(config: Config, deps: { db: Db; temporal: Client; pairingContext: PairingContext }): QueueWorkersHandle {
  const connection = createRedis(config.redisUrl, 'worker');
  const prefix = config.queuePrefix;
  const workers = [
    startPlumbingWorker({ db: deps.db, connection, prefix }),
    startCicEventsWorker({ db: deps.db, connection, prefix, temporal: deps.temporal, taskQueue: config.taskQueue }),
  ];
  const presence = startPresenceWorker({ db: deps.db, connection, prefix, pairingContext: deps.pairingContext });
  workers.push(presence.worker);
  for (const w of workers) reportErrors(w, w.name);
  return {
    workers,
    async close() {
      const graceful = Promise.all([presence.close(), ...workers.filter((w) => w !== presence.worker).map((w) => w.close())]);
      if (!(await settlesWithin(graceful, GRACEFUL_CLOSE_MS))) {
        // A job stuck on a far side must not hold the process: its workers close without waiting for it, and
        // BullMQ hands the job, still in Redis, to the next worker as stalled. Nothing is lost.
        log().warn({ seconds: GRACEFUL_CLOSE_MS / 1000 }, 'queue workers did not stop in time; closing them without waiting for their jobs');
        await settlesWithin(Promise.all(workers.map((w) => w.close(true))), GRACEFUL_CLOSE_MS);
      }
      connection.disconnect();
    },
  };
}

/** How long the queue workers get to finish their jobs when the process stops. */
const GRACEFUL_CLOSE_MS = 10_000;

const log = () => createLogger('queues');

/** True when `p` settles (either way) within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
