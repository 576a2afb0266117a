import { Client } from '@temporalio/client';
import { dataConverterFor } from '../lib/payload-codec';
import type { Redis } from 'ioredis';
import type { Config } from '../lib/config';
import { createDb, type Db } from '../db/database';
import { openProducer } from '../queues/connection';
import { reachServices } from './reach';
import { lastDiscovery, type Discovered } from './discovery';

export interface CliContext {
  config: Config;
  db: Db;
  temporal: Client;
  redis: Redis;
  close(): Promise<void>;
}

/**
 * What an operator command needs; opened per command and closed after it. Each service is reached first, so
 * one that is away is named in one line (`discovered` says whether its address came from a state file).
 */
export async function openCliContext(config: Config, discovered: Discovered | undefined = lastDiscovery()): Promise<CliContext> {
  const connection = await reachServices(config, discovered);
  const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 2 });
  const temporal = new Client({ connection, namespace: config.temporalNamespace, dataConverter: dataConverterFor(config) });
  const redis = await openProducer(config.redisUrl);
  return {
    config,
    db,
    temporal,
    redis,
    async close() {
      redis.disconnect();
      await temporal.connection.close();
      await db.destroy();
    },
  };
}
