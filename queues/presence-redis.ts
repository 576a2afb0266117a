import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CicStatusMessage } from '../domain/presence-mapping';

/**
 * The presence lane's Redis state beside its BullMQ queue: the latest CIC status per user (a hash, so latest
 * wins however many changes a job stands for), the intake's sequence counter, the status catalog the watch
 * last read, and the pacing cell that spreads pushes over the request budget.
 */
export function presenceKeys(prefix: string) {
  const base = `${prefix}:presence`;
  return { latest: `${base}:latest`, seq: `${base}:seq`, catalog: `${base}:catalog`, pace: `${base}:pace` };
}

/** A user's latest status as the intake recorded it. `seq` grows with every recorded change. */
export interface LatestStatus {
  seq: number;
  statusId: string;
  loggedIn: boolean;
  /** When the bridge saw the change (ms): lag is measured from here. */
  seenAt: number;
}

/** Records statuses and numbers them in one step. ARGV: userId, payload pairs. Returns the first seq. */
const recordScript = `
local n = #ARGV / 2
local last = redis.call('INCRBY', KEYS[2], n)
local first = last - n + 1
for i = 0, n - 1 do
  redis.call('HSET', KEYS[1], ARGV[2 * i + 1], (first + i) .. ':' .. ARGV[2 * i + 2])
end
return first
`;

/**
 * GCRA over Redis time: one cell per request, `spacing` ms apart, up to `burst` at once after a quiet spell.
 * ARGV: spacing ms, burst. Returns 0 when a cell was taken, else the ms to wait.
 */
const paceScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local spacing = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + spacing
local allowAt = nextTat - spacing * burst
if allowAt > now then return allowAt - now end
redis.call('SET', KEYS[1], nextTat, 'PX', math.ceil(nextTat - now + 1000))
return 0
`;

function runner(redis: Redis, script: string) {
  const sha = createHash('sha1').update(script).digest('hex');
  return async (keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return redis.eval(script, keys.length, ...keys, ...args);
    }
  };
}

function parseLatest(raw: string | null | undefined): LatestStatus | undefined {
  if (!raw) return undefined;
  const i = raw.indexOf(':');
  try {
    const p = JSON.parse(raw.slice(i + 1)) as { s: string; l: number; t: number };
    return { seq: Number(raw.slice(0, i)), statusId: p.s, loggedIn: p.l === 1, seenAt: p.t };
  } catch {
    return undefined;
  }
}

export function presenceStore(redis: Redis, prefix: string) {
  const keys = presenceKeys(prefix);
  const record = runner(redis, recordScript);
  const pace = runner(redis, paceScript);
  return {
    keys,
    async record(statuses: readonly { userId: string; statusId: string; loggedIn: boolean; seenAt: number }[]): Promise<void> {
      if (!statuses.length) return;
      const args = statuses.flatMap((s) => [s.userId, JSON.stringify({ s: s.statusId, l: s.loggedIn ? 1 : 0, t: s.seenAt })]);
      await record([keys.latest, keys.seq], args);
    },
    async latest(userIds: readonly string[]): Promise<Map<string, LatestStatus>> {
      const out = new Map<string, LatestStatus>();
      if (!userIds.length) return out;
      const raw = await redis.hmget(keys.latest, ...userIds);
      userIds.forEach((id, i) => {
        const s = parseLatest(raw[i]);
        if (s) out.set(id, s);
      });
      return out;
    },
    /** Every user's latest status, a page at a time. */
    async *scanLatest(): AsyncGenerator<[string, LatestStatus][]> {
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.latest, cursor, 'COUNT', 2000);
        cursor = next;
        const page: [string, LatestStatus][] = [];
        for (let i = 0; i < flat.length; i += 2) {
          const s = parseLatest(flat[i + 1]);
          if (s) page.push([flat[i], s]);
        }
        if (page.length) yield page;
      } while (cursor !== '0');
    },
    async saveCatalog(catalog: readonly CicStatusMessage[]): Promise<void> {
      await redis.set(keys.catalog, JSON.stringify(catalog));
    },
    async catalog(): Promise<CicStatusMessage[] | undefined> {
      const raw = await redis.get(keys.catalog);
      return raw ? (JSON.parse(raw) as CicStatusMessage[]) : undefined;
    },
    /** Waits for the next pacing cell (0 = go now). */
    async paceWait(spacingMs: number, burst: number): Promise<number> {
      return Number(await pace([keys.pace], [Math.ceil(spacingMs), burst]));
    },
    async forget(): Promise<void> {
      await redis.del(keys.latest, keys.catalog, keys.pace);
    },
  };
}

export type PresenceStore = ReturnType<typeof presenceStore>;
