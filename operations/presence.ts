import type { Redis } from 'ioredis';
import type { Db } from '../db/database';
import { listOverrides, presenceFigures, presenceStateOf, setOverride, usersWithErrors } from '../db/presence';
import { explainPresence, systemPresences, type CicStatusMessage, type SystemPresence } from '../domain/presence-mapping';
import { createPresenceQueue, remapJob } from '../queues/presence-queue';
import { presenceStore } from '../queues/presence-redis';
import { PairingError } from './pairing';

type QueueDeps = { db: Db; redis: Redis; queuePrefix: string };

/** Raised for an operator's bad `presence map` input; the message says what to type instead. */
export class PresenceMappingError extends PairingError {}

function parsePresence(value: string): SystemPresence | null {
  if (value.toLowerCase() === 'default') return null;
  const found = systemPresences.find((p) => p.toLowerCase().replace(/\s/g, '') === value.toLowerCase().replace(/[\s_-]/g, ''));
  if (!found) throw new PresenceMappingError(`unknown presence "${value}": use one of ${systemPresences.join(', ')}, or "default" to remove the override`);
  return found;
}

/**
 * `bridge presence map <status id> <presence>`: stores the override (or removes it, with `default`) and tells
 * the presence workers, which look at every known user again; only users whose presence changes are written.
 */
export async function mapStatus(deps: QueueDeps, statusId: string, presence: string): Promise<SystemPresence | null> {
  if (!statusId.trim()) throw new PresenceMappingError('a CIC status id is required');
  const value = parsePresence(presence);
  await setOverride(deps.db, statusId, value);
  const queue = createPresenceQueue(deps.redis, deps.queuePrefix);
  try {
    const job = remapJob(`override for '${statusId.trim()}' ${value ? `set to ${value}` : 'removed'}`);
    await queue.add(job.name, job.data, job.opts);
  } finally {
    await queue.close();
  }
  return value;
}

/** `bridge presence map`: each CIC status with the presence it maps to and why (the catalog the watch last saw). */
export async function mappingTable(deps: QueueDeps) {
  const overrides = await listOverrides(deps.db);
  const byId = Object.fromEntries(overrides.map((o) => [o.status_id, o.presence as SystemPresence]));
  const catalog: CicStatusMessage[] = (await presenceStore(deps.redis, deps.queuePrefix).catalog().catch(() => undefined)) ?? [];
  const rows = catalog.map((s) => ({ statusId: s.statusId, text: s.messageText ?? s.statusId, ...explainPresence(s, byId) }));
  for (const o of overrides) {
    if (!rows.some((r) => r.statusId.toLowerCase() === o.status_id.toLowerCase())) {
      rows.push({ statusId: o.status_id, text: '(not in the CIC catalog)', presence: o.presence as SystemPresence, because: `override for status '${o.status_id}'` });
    }
  }
  return { rows, overrides, catalogKnown: catalog.length > 0 };
}

/** `bridge presence`: the lane's last minute, the users waiting, and the latest errors. */
export async function presenceSummary(deps: QueueDeps) {
  const queue = createPresenceQueue(deps.redis, deps.queuePrefix);
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
    const figures = await presenceFigures(deps.db);
    return {
      ...figures,
      pendingUsers: (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      failedJobs: counts.failed ?? 0,
      recentErrors: await usersWithErrors(deps.db, 5),
    };
  } finally {
    await queue.close();
  }
}

/** What `bridge user <id>` adds about presence. */
export async function userPresence(db: Db, cicId: string) {
  return presenceStateOf(db, cicId);
}

export interface HealthVerdict {
  status: 'green' | 'amber' | 'red';
  reason: string;
  figures: Awaited<ReturnType<typeof presenceFigures>>;
}

/**
 * For the integration-health page: red when pushes fail (most of the last minute's users failed, or users
 * carry errors and nothing got through), amber when some fail or the lag's p95 passes a second, else green.
 */
export async function presenceHealth(db: Db): Promise<HealthVerdict> {
  const figures = await presenceFigures(db);
  const tried = figures.usersPushedLastMinute;
  if (tried > 0 && figures.failedLastMinute / tried > 0.5) {
    return { status: 'red', reason: `${figures.failedLastMinute} of ${tried} presence writes failed in the last minute: ${figures.lastError ?? 'unknown error'}`, figures };
  }
  if (figures.users.withError > 0 && tried === figures.failedLastMinute && tried > 0) {
    return { status: 'red', reason: `no presence write succeeded in the last minute; ${figures.users.withError} users carry an error`, figures };
  }
  if (figures.failedLastMinute > 0 || figures.users.withError > 0) {
    return { status: 'amber', reason: `${figures.users.withError} users with a presence error (last: ${figures.lastError ?? 'see bridge presence'})`, figures };
  }
  if (figures.lagP95Ms !== null && figures.lagP95Ms > 1_000) {
    return { status: 'amber', reason: `presence lag p95 is ${figures.lagP95Ms} ms over the last minute (target 1000 ms)`, figures };
  }
  return { status: 'green', reason: tried ? `${tried} presence updates in the last minute, lag p95 ${figures.lagP95Ms ?? 0} ms` : 'no status changes to push in the last minute', figures };
}
