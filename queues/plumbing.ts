import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import type { Db } from '../db/database';
import { markPlumbingEchoed } from '../db/plumbing-checks';
import { queueNames } from './connection';

export interface PlumbingJobData {
  checkId: string;
}

export interface PlumbingJobResult {
  checkId: string;
  echoedAt: string;
  echoedBy: string;
}

/** Consumes plumbing-check jobs: proves that a job enqueued by an activity reaches a queue worker. */
export function startPlumbingWorker(deps: { db: Db; connection: Redis; prefix: string }): Worker {
  const echoedBy = `${hostname()}:${process.pid}`;
  return new Worker<PlumbingJobData, PlumbingJobResult>(
    queueNames.plumbing,
    async (job: Job<PlumbingJobData>) => {
      const echoedAt = await markPlumbingEchoed(deps.db, job.data.checkId, echoedBy);
      return { checkId: job.data.checkId, echoedAt: echoedAt.toISOString(), echoedBy };
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 4 },
  );
}
