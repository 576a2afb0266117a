import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Config } from '../lib/config';
import { createDb, type Db } from '../db/database';
import { openProducer } from '../queues/connection';
import { connectTemporalClient } from '../lib/temporal-client';

export interface CliContext {
  config: Config;
  db: Db;
  temporal: Client;
  redis: Redis;
  close(): Promise<void>;
}

/** What an operator command needs; opened per command and closed after it. */
export async function openCliContext(config: Config): Promise<CliContext> {
  const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 2 });
  const temporal = await connectTemporalClient(config);
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
