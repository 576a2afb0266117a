import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../lib/config';
import { createDb, type Db } from '../db/database';
import { createRedis, queueNames } from '../queues/connection';
import type { ActivityDeps } from '../activities';
import type { PlumbingJobData, PlumbingJobResult } from '../queues/plumbing';

export interface Dependencies extends ActivityDeps {
  config: Config;
  db: Db;
  producer: Redis;
  /** Closes everything opened here, in reverse order. */
  close(): Promise<void>;
}

/** Opens the connections a worker process needs, once, from the validated config. */
export function buildDependencies(config: Config): Dependencies {
  const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema });
  const producer = createRedis(config.redisUrl, 'producer');
  const eventsConnection = createRedis(config.redisUrl, 'worker');
  const plumbingQueue = new Queue<PlumbingJobData, PlumbingJobResult>(queueNames.plumbing, {
    connection: producer,
    prefix: config.queuePrefix,
  });
  const plumbingEvents = new QueueEvents(queueNames.plumbing, { connection: eventsConnection, prefix: config.queuePrefix });
  return {
    config,
    db,
    producer,
    plumbingQueue,
    plumbingEvents,
    async close() {
      await plumbingEvents.close();
      await plumbingQueue.close();
      eventsConnection.disconnect();
      producer.disconnect();
      await db.destroy();
    },
  };
}
