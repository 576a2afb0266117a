import { createLogger } from '../lib/logger';
import { Redis } from 'ioredis';

/**
 * Producers fail fast while Redis is away (a command errors instead of queueing forever); workers wait an
 * outage out, which BullMQ requires of their blocking connections (`maxRetriesPerRequest: null`).
 */
export function createRedis(url: string, role: 'producer' | 'worker'): Redis {
  const redis =
    role === 'worker'
      ? new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false })
      : new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  // While Redis is away every reconnect attempt errors; one warning per connection every 10 s says so
  // (without a listener ioredis prints each one as an unhandled error event).
  let lastWarned = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastWarned < 10_000) return;
    lastWarned = Date.now();
    log().warn({ role, err: err.message }, 'Redis connection error; retrying');
  });
  return redis;
}

const log = () => createLogger('redis');

/**
 * BullMQ queues and workers re-emit their connection's errors and print them raw when nobody listens; this
 * listener turns them into one warning per object every 10 s.
 */
export function reportErrors<T extends { on(event: 'error', listener: (err: Error) => void): unknown }>(emitter: T, what: string): T {
  let lastWarned = 0;
  emitter.on('error', (err: Error) => {
    if (Date.now() - lastWarned < 10_000) return;
    lastWarned = Date.now();
    log().warn({ queue: what, err: err.message }, 'queue connection error; retrying');
  });
  return emitter;
}

/**
 * A producer connection that has connected once. A producer refuses commands until its first connect
 * (no offline queue), so a command issued right after start-up would fail although Redis is up; callers
 * that start and use a producer at once open it here. Fails with the address when Redis does not answer.
 */
export async function openProducer(url: string, timeoutMs = 10_000): Promise<Redis> {
  const redis = createRedis(url, 'producer');
  if (redis.status === 'ready') return redis;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis at ${redactUrl(url)} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return redis;
}

/** The URL without a password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured address';
  }
}

/** Queue names; the per-deployment (or per-test) part is BullMQ's `prefix`, from config.queuePrefix. */
export const queueNames = {
  plumbing: 'plumbing',
  cicEvents: 'cic-events',
} as const;
