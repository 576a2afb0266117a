import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  createRequestBudget,
  type Priority,
  type RequestBudgetOptions,
} from '../../clients/genesys/request-budget';
import { suiteConfig } from '../support/env';

const cfg = suiteConfig('genesys_budget');
// Two connections stand in for two worker processes: nothing is shared between them but Redis.
const redisA = new Redis(cfg.redisUrl, { maxRetriesPerRequest: null });
const redisB = new Redis(cfg.redisUrl, { maxRetriesPerRequest: null });

after(async () => {
  const keys = await redisA.keys(`${cfg.queuePrefix}*`);
  if (keys.length) await redisA.del(...keys);
  redisA.disconnect();
  redisB.disconnect();
});

async function scriptCalls(): Promise<number> {
  const stats = await redisA.info('commandstats');
  return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** A budget pair with a fresh prefix: a short window so several windows pass in seconds. */
function pair(opts: Partial<RequestBudgetOptions> = {}) {
  const base = {
    prefix: `${cfg.queuePrefix}-${randomBytes(3).toString('hex')}`,
    clientId: 'demo-client',
    guardMs: 0,
    ...opts,
  };
  return [createRequestBudget({ ...base, redis: redisA }), createRequestBudget({ ...base, redis: redisB })];
}

/** True when acquire() takes a slot within `ms`; otherwise it is abandoned (aborted) and the answer is false. */
async function within(ms: number, acquire: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    await acquire(abort.signal);
    return true;
  } catch (err) {
    if (abort.signal.aborted) return false;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

test('two processes sharing one budget never exceed the limit in any window-long interval', async () => {
  const limit = 20;
  const windowMs = 2000;
  const budgets = pair({ limit, windowMs });
  const times: number[] = [];
  const scriptCallsBefore = await scriptCalls();
  const started = Date.now();
  // 3 windows' worth from 6 concurrent callers, half in each "process".
  await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      for (let n = 0; n < (limit * 3) / 6; n++) {
        await budgets[i % 2].acquire('high');
        times.push(Date.now());
      }
    }),
  );
  const elapsed = Date.now() - started;
  times.sort((a, b) => a - b);
  for (let i = 0; i + limit < times.length; i++) {
    // The slot is taken in Redis a few ms before we see it here, hence the small tolerance.
    assert.ok(
      times[i + limit] - times[i] >= windowMs - 50,
      `requests ${i}..${i + limit} fell within ${times[i + limit] - times[i]} ms`,
    );
  }
  // Three batches: at 0, after one window and after two; waiting sleeps until a slot frees, so no lag builds up.
  assert.ok(elapsed >= 2 * windowMs - 50 && elapsed < 2 * windowMs + 1000, `took ${elapsed} ms`);
  // A waiter sleeps until its slot can exist: about one script call per slot plus one per wake-up, not a poll loop.
  const calls = (await scriptCalls()) - scriptCallsBefore;
  assert.ok(calls < times.length * 2, `${calls} script calls for ${times.length} slots`);
});

test('priorities keep their reserves: low leaves room for normal, normal leaves room for high', async () => {
  const [a, b] = pair({ limit: 20, windowMs: 3000, reserves: { normal: 0.1, low: 0.2 } });
  assert.deepEqual([a.capacity('high'), a.capacity('normal'), a.capacity('low')], [20, 18, 16]);
  for (let i = 0; i < 16; i++) await (i % 2 ? a : b).acquire('low');
  const take = (who: typeof a, priority: Priority) => within(200, (signal) => who.acquire(priority, signal));
  assert.equal(await take(a, 'low'), false, 'low stops at its share');
  assert.equal(await take(b, 'normal'), true);
  assert.equal(await take(a, 'normal'), true);
  assert.equal(await take(b, 'normal'), false, 'normal stops short of the high reserve');
  assert.equal(await take(a, 'high'), true);
  assert.equal(await take(b, 'high'), true);
  assert.equal(await take(a, 'high'), false, 'nobody passes the limit');
  assert.equal((await a.usage()).inWindow, 20, 'the waiting callers took no slot');
});

test('the default reserves leave at least 95% of the budget to a pure low-priority backlog', () => {
  const [budget] = pair({ limit: 300 });
  assert.equal(budget.capacity('high'), 300);
  assert.ok(budget.capacity('normal') < 300 && budget.capacity('normal') > budget.capacity('low'));
  assert.ok(budget.capacity('low') >= 0.95 * 300, `low may use ${budget.capacity('low')}`);
});

test('pause() after a 429 holds every process back, whatever its priority', async () => {
  const [a, b] = pair({ limit: 100, windowMs: 60_000 });
  await a.pause(700);
  await a.pause(100); // a shorter pause never cuts a longer one short
  const started = Date.now();
  await Promise.all([a.acquire('high'), b.acquire('high'), b.acquire('low')]);
  const waited = Date.now() - started;
  assert.ok(waited >= 650 && waited < 1200, `waited ${waited} ms`);
});

test('observe() adopts the server count when it is tighter, and pauses when the server has nothing left', async () => {
  const [a, b] = pair({ limit: 20, windowMs: 60_000 });
  const headers = (count: number, reset: number) =>
    new Headers({
      'inin-ratelimit-count': String(count),
      'inin-ratelimit-allowed': '20',
      'inin-ratelimit-reset': String(reset),
    });

  await a.observe(headers(2, 1)); // far from the limit: our own log stays the authority
  assert.equal((await a.usage()).inWindow, 0);

  await a.observe(headers(18, 1)); // the server has 2 left, we thought 20: placeholders close the gap
  assert.equal((await b.usage()).inWindow, 18);
  assert.equal(await within(100, (signal) => b.acquire('high', signal)), true);
  assert.equal(await within(100, (signal) => b.acquire('high', signal)), true);
  const started = Date.now();
  await b.acquire('high'); // the placeholders leave when the server's window resets, not a whole window later
  assert.ok(Date.now() - started < 1500, `waited ${Date.now() - started} ms`);

  const [c, d] = pair({ limit: 20, windowMs: 60_000 });
  await c.observe(headers(20, 1));
  const paused = (await d.usage()).pausedForMs;
  assert.ok(paused > 800 && paused <= 1000, `paused for ${paused} ms`);
});

test('a limit of 0 is unlimited, but a pause still holds', async () => {
  const [a, b] = pair({ limit: 0 });
  const started = Date.now();
  await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? a : b).acquire('low')));
  assert.ok(Date.now() - started < 2000);
  await b.pause(300);
  const t = Date.now();
  await a.acquire('high');
  assert.ok(Date.now() - t >= 250);
});

test('acquire() gives up when its signal aborts', async () => {
  const [a] = pair({ limit: 1, windowMs: 60_000 });
  await a.acquire('high');
  await assert.rejects(a.acquire('high', AbortSignal.timeout(100)), { name: 'TimeoutError' });
});
