import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export const presenceQueueName = 'presence';

/**
 * `status`: push the latest status of one user (the job carries the id only; the status is read from Redis
 * when the push is made, so a job stands for every change since it was queued). `remap`: the mapping or the
 * status catalog changed, so every known user is looked at again.
 */
export type PresenceJob = { kind: 'status'; org: string; userId: string } | { kind: 'remap'; reason: string };

/**
 * One pending job per user: a change while the user's job waits is absorbed by it, a change while it runs
 * queues exactly one follow-up (BullMQ's keepLastIfActive), so a flapping agent costs at most two pushes in
 * flight and never two at once.
 */
export function statusJob(org: string, userId: string): { name: string; data: PresenceJob; opts: JobsOptions } {
  return { name: 'status', data: { kind: 'status', org, userId }, opts: { deduplication: { id: `u:${userId}`, keepLastIfActive: true } } };
}

export function remapJob(reason: string): { name: string; data: PresenceJob; opts: JobsOptions } {
  return { name: 'remap', data: { kind: 'remap', reason }, opts: { deduplication: { id: 'remap', keepLastIfActive: true } } };
}

export function createPresenceQueue(connection: Redis, prefix: string): Queue<PresenceJob> {
  return new Queue<PresenceJob>(presenceQueueName, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000, attempts: 8, backoff: { type: 'exponential', delay: 1000 } },
  });
}
