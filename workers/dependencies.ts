import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import { connectTemporalClient } from '../lib/temporal-client';
import { createDb, type Db } from '../db/database';
import { createRedis, openProducer, queueNames, reportErrors } from '../queues/connection';
import type { ActivityDeps } from '../activities';
import { createPairingContext } from '../activities/pairing-context';
import { createKeyring, type Keyring } from '../idp/keyring';
import { createIdentityProvider } from '../idp/identity-provider';
import type { PlumbingJobData, PlumbingJobResult } from '../queues/plumbing';
import type { CicEventJob } from '../queues/cic-events';
import { createPresenceQueue } from '../queues/presence-queue';
import { presenceStore } from '../queues/presence-redis';

export interface Dependencies extends ActivityDeps {
  config: Config;
  db: Db;
  producer: Redis;
  temporal: Client;
  keyring: Keyring;
  /** Called once the HTTP server listens, so a bridge without BRIDGE_PUBLIC_URL knows its own address. */
  setListeningPort(port: number): void;
  /** Closes everything opened here, in reverse order. */
  close(): Promise<void>;
}

/** Opens the connections a worker process needs, once, from the validated config. */
export async function buildDependencies(config: Config): Promise<Dependencies> {
  const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 20 });
  const producer = await openProducer(config.redisUrl);
  const eventsConnection = createRedis(config.redisUrl, 'worker');
  const prefix = config.queuePrefix;
  const plumbingQueue = reportErrors(new Queue<PlumbingJobData, PlumbingJobResult>(queueNames.plumbing, { connection: producer, prefix }), queueNames.plumbing);
  const plumbingEvents = reportErrors(new QueueEvents(queueNames.plumbing, { connection: eventsConnection, prefix }), `${queueNames.plumbing} events`);
  const cicEvents = reportErrors(
    new Queue<CicEventJob>(queueNames.cicEvents, {
      connection: producer,
      prefix,
      defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000, attempts: 10, backoff: { type: 'exponential', delay: 200 } },
    }),
    queueNames.cicEvents,
  );
  const presenceQueue = reportErrors(createPresenceQueue(producer, prefix), 'presence');
  const temporal = await connectTemporalClient(config);
  // The request budget waits out a Redis blip instead of failing the call, so it gets a waiting connection.
  const budgetConnection = createRedis(config.redisUrl, 'worker');
  const pairingContext = createPairingContext({ db, redis: budgetConnection, secretKey: config.secretKey, budgetPrefix: `${prefix}:budget` });
  let listeningPort = config.httpPort;
  const publicUrl = () => config.publicUrl ?? `http://127.0.0.1:${listeningPort}`;
  const keyring = createKeyring({ db, secretKey: config.secretKey });
  const identityProvider = createIdentityProvider({ db, pairingContext, keyring, publicUrl });
  return {
    config,
    db,
    keyring,
    identityProvider,
    setListeningPort(port) {
      listeningPort = port;
    },
    producer,
    temporal,
    plumbingQueue,
    plumbingEvents,
    cicEvents,
    presenceQueue,
    presenceStore: presenceStore(producer, prefix),
    pairingContext,
    secretKey: config.secretKey,
    async close() {
      await pairingContext.close();
      await cicEvents.close();
      await presenceQueue.close();
      await plumbingEvents.close();
      await plumbingQueue.close();
      await temporal.connection.close();
      eventsConnection.disconnect();
      budgetConnection.disconnect();
      producer.disconnect();
      await db.destroy();
    },
  };
}
