import type { Worker } from 'bullmq';
import type { Config } from '../lib/config';
import type { Db } from '../db/database';
import { createRedis } from '../queues/connection';
import { startPlumbingWorker } from '../queues/plumbing';

export interface QueueWorkersHandle {
  workers: Worker[];
  close(): Promise<void>;
}

/** Starts every BullMQ worker on one shared blocking connection; closing closes workers before it. */
export function startQueueWorkers(config: Config, deps: { db: Db }): QueueWorkersHandle {
  const connection = createRedis(config.redisUrl, 'worker');
  const workers = [startPlumbingWorker({ db: deps.db, connection, prefix: config.queuePrefix })];
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}
