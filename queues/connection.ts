import { Redis } from 'ioredis';

/**
 * Producers fail fast while Redis is away (a command errors instead of queueing forever); workers wait an
 * outage out, which BullMQ requires of their blocking connections (`maxRetriesPerRequest: null`).
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  return role === 'worker'
    ? new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false })
    : new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
}

/** Queue names; the per-deployment (or per-test) part is BullMQ's `prefix`, from config.queuePrefix. */
export const queueNames = {
  plumbing: 'plumbing',
  cicEvents: 'cic-events',
} as const;
