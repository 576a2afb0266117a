import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { acquireScript, observeScript, pauseScript, usageScript } from './budget-scripts';
import type { ResponseHeaders } from './http-types';

/** Presence and deprovisioning are `high`, ordinary updates `normal`, creates and reconciling reads `low`. */
export type Priority = 'high' | 'normal' | 'low';

export interface RequestBudgetOptions {
  redis: Redis;
  /** Per deployment (or per test), so two bridges sharing a Redis never share a budget by accident. */
  prefix: string;
  /** The budget is per OAuth client, whatever process or host holds a token for it. */
  clientId: string;
  /** Requests per window; 0 = unlimited (a 429 still pauses everyone). Default 300. */
  limit?: number;
  /** Default 60 000, Genesys's rate-limit period; tests shorten it. */
  windowMs?: number;
  /**
   * Added to the window, default 500 ms: a request reaches Genesys some ms after it takes its slot, and
   * that delay varies, so a window of exactly 60 s could let limit + 1 requests into one server window.
   */
  guardMs?: number;
  /** Share of the limit `normal` and `low` leave for the priorities above them; default 0.02 and 0.03. */
  reserves?: { normal?: number; low?: number };
}

export interface RequestBudget {
  readonly limit: number;
  /** Waits (sleeping, never polling in a loop) until this priority may spend, then takes one slot. */
  acquire(priority?: Priority, signal?: AbortSignal): Promise<void>;
  /** After a 429: nobody, in any process, spends until `ms` have passed. */
  pause(ms: number): Promise<void>;
  /** Reads `inin-ratelimit-*` from a response and pulls our view towards the server's when it is tighter. */
  observe(headers: ResponseHeaders): Promise<void>;
  /** How many slots `priority` may hold in one window. */
  capacity(priority: Priority): number;
  usage(): Promise<{ inWindow: number; pausedForMs: number }>;
  /** 429 answers any process met in the last `ms` (kept for an hour), for the health page. */
  rateLimitedWithin(ms: number): Promise<number>;
}

const RATE_LIMITED_KEPT_MS = 3600_000;

function scriptRunner(redis: Redis, script: string) {
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

/**
 * THE Genesys request budget, shared through Redis by every worker process: a sliding-window log, so any
 * window-long interval holds at most `limit` requests. A server counting fixed windows per token then
 * never has a reason to answer 429, whichever way its windows fall.
 */
export function createRequestBudget(opts: RequestBudgetOptions): RequestBudget {
  const limit = opts.limit ?? 300;
  const window = (opts.windowMs ?? 60_000) + (opts.guardMs ?? 500);
  // The hash tag keeps both keys in one Redis Cluster slot, which a script touching both needs.
  const base = `${opts.prefix}:genesys-budget:{${opts.clientId}}`;
  const keys = [`${base}:log`, `${base}:pause`];
  const nonce = randomBytes(6).toString('hex');
  let seq = 0;
  const run = {
    acquire: scriptRunner(opts.redis, acquireScript),
    pause: scriptRunner(opts.redis, pauseScript),
    observe: scriptRunner(opts.redis, observeScript),
    usage: scriptRunner(opts.redis, usageScript),
  };
  const share = (reserve: number) => (limit <= 0 ? 0 : Math.max(1, Math.floor(limit * (1 - reserve))));
  const capacities: Record<Priority, number> = {
    high: limit,
    normal: share(opts.reserves?.normal ?? 0.02),
    low: share(opts.reserves?.low ?? 0.03),
  };

  return {
    limit,
    capacity: (priority) => capacities[priority],
    async acquire(priority = 'normal', signal) {
      for (;;) {
        signal?.throwIfAborted();
        const member = `${nonce}:${++seq}`;
        const wait = Number(await run.acquire(keys, [window, capacities[priority], member, limit]));
        if (wait <= 0) return;
        // A little jitter so the processes woken by the same departing entry do not all arrive at once.
        await sleep(wait + Math.floor(Math.random() * 10), undefined, { signal }).catch((err) => {
          throw signal?.reason ?? err;
        });
      }
    },
    async pause(ms) {
      if (ms > 0) await run.pause(keys, [Math.ceil(ms)]);
      // Every 429 comes through here, so here it is counted (an hour's worth, shared like the budget).
      const now = Date.now();
      await opts.redis
        .multi()
        .zadd(`${base}:429s`, now, `${now}:${nonce}:${++seq}`)
        .zremrangebyscore(`${base}:429s`, '-inf', now - RATE_LIMITED_KEPT_MS)
        .pexpire(`${base}:429s`, RATE_LIMITED_KEPT_MS)
        .exec();
    },
    async rateLimitedWithin(ms) {
      return opts.redis.zcount(`${base}:429s`, Date.now() - Math.min(ms, RATE_LIMITED_KEPT_MS), '+inf');
    },
    async observe(headers) {
      const count = Number(headers.get('inin-ratelimit-count') ?? NaN);
      const allowed = Number(headers.get('inin-ratelimit-allowed') ?? NaN);
      const reset = Number(headers.get('inin-ratelimit-reset') ?? NaN);
      if (!Number.isFinite(count) || !Number.isFinite(allowed) || !Number.isFinite(reset)) return;
      const serverLeft = allowed - count;
      // Far from the server's limit our own log is the tighter view; skip the round trip.
      if (serverLeft > Math.max(5, allowed * 0.1)) return;
      await run.observe(keys, [
        window,
        limit,
        serverLeft,
        Math.max(0, reset * 1000),
        `${nonce}:server:${++seq}:`,
      ]);
    },
    async usage() {
      const [inWindow, pausedForMs] = (await run.usage(keys, [window])) as [number, number];
      return { inWindow, pausedForMs };
    },
  };
}
