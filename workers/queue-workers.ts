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
      await Promise.all([presence.close(), ...workers.filter((w) => w !== presence.worker).map((w) => w.close())]);
      connection.disconnect();
    },
  };
}
