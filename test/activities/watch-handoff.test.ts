import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchHandoff, type HandoffDeps, type HandoffOptions } from '../../activities/watch-handoff';
import type { BacklogEntry } from '../../db/watch-backlog';
import type { CicEventJob } from '../../queues/cic-events';

const fast: Partial<HandoffOptions> = { batchMs: 5, retryBaseMs: 10, retryMaxMs: 40, sendTimeoutMs: 200, durableAfterMs: 150 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A queue that can be made to fail or hang, and an in-memory watch_backlog. */
function fakes(options: Partial<HandoffOptions> = {}) {
  const accepted: CicEventJob[] = [];
  const backlog = new Map<string, number>();
  let clock = 0;
  const queue = { mode: 'up' as 'up' | 'down' | 'hang', onSend: undefined as undefined | ((job: CicEventJob) => void) };
  const warnings: string[] = [];
  const deps: HandoffDeps = {
    org: 'acme',
    async send(job) {
      queue.onSend?.(job);
      if (queue.mode === 'down') throw new Error('Connection is closed.');
      if (queue.mode === 'hang') return new Promise<void>(() => {});
      accepted.push(structuredClone(job));
    },
    backlog: {
      async note(ids, fullPass) {
        for (const id of fullPass ? [...ids, '*'] : ids) backlog.set(id, ++clock);
      },
      async page(limit) {
        return [...backlog].slice(0, limit).map(([cicId, at]) => ({ cicId, notedAt: String(at) }));
      },
      async clear(entries: BacklogEntry[]) {
        for (const e of entries) if ((backlog.get(e.cicId) ?? Infinity) <= Number(e.notedAt)) backlog.delete(e.cicId);
      },
      async count() {
        return [...backlog.keys()].filter((id) => id !== '*').length;
      },
      async cutoff() {
        return String(clock);
      },
      async clearNotedBy(cutoff) {
        for (const [id, at] of backlog) if (at <= Number(cutoff)) backlog.delete(id);
      },
    },
    log: { info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    options: { ...fast, ...options },
  };
  const sentIds = () => new Set(accepted.flatMap((j) => (j.kind === 'users-changed' ? j.userIds : [])));
  const resyncs = () => accepted.filter((j) => j.kind === 'resync');
  return { deps, accepted, backlog, queue, warnings, sentIds, resyncs };
}

test('ids wait until the queue accepts them, merged with later ones, and are sent in one job', async () => {
  const f = fakes();
  const h = new WatchHandoff(f.deps);
  h.add(['a', 'b']);
  h.add(['c', 'a']);
  await until('the job', () => f.accepted.length > 0);
  assert.deepEqual(f.accepted, [{ kind: 'users-changed', org: 'acme', userIds: ['b', 'c', 'a'] }]);
  assert.deepEqual(h.pending, { ids: 0, fullPass: false });
  await h.close();
});

test('an enqueue failure keeps the ids and retries them with new ones; none is lost', async () => {
  const f = fakes();
  f.queue.mode = 'down';
  const h = new WatchHandoff(f.deps);
  h.add(['a', 'b']);
  await sleep(50);
  h.add(['c']);
  assert.equal(f.accepted.length, 0);
  assert.equal(h.pending.ids, 3, 'held while the queue is away');
  f.queue.mode = 'up';
  await until('all ids accepted', () => f.sentIds().size === 3);
  assert.equal(h.pending.ids, 0);
  assert.ok(f.warnings.some((w) => /enqueue failed/.test(w)));
  await h.close();
});

test('a hanging enqueue times out and is tried again', async () => {
  const f = fakes();
  f.queue.mode = 'hang';
  const h = new WatchHandoff(f.deps);
  h.add(['a']);
  await sleep(250);
  f.queue.mode = 'up';
  await until('the id accepted', () => f.sentIds().has('a'));
  await h.close();
});

test('an id seen again while its job is in flight stays held and goes again', async () => {
  const f = fakes();
  const h = new WatchHandoff(f.deps);
  f.queue.onSend = (job) => {
    if (f.accepted.length === 0 && job.kind === 'users-changed') h.add(['a']);
  };
  h.add(['a']);
  await until('two jobs', () => f.accepted.length === 2);
  assert.deepEqual(
    f.accepted.map((j) => (j.kind === 'users-changed' ? j.userIds : [])),
    [['a'], ['a']],
  );
  await h.close();
});

test('above the hold limit the held ids become one full pass', async () => {
  const f = fakes({ holdLimit: 10 });
  f.queue.mode = 'down';
  const h = new WatchHandoff(f.deps);
  h.add(Array.from({ length: 11 }, (_, i) => `u${i}`));
  assert.deepEqual(h.pending, { ids: 0, fullPass: true });
  h.add(['late']);
  f.queue.mode = 'up';
  await until('the resync', () => f.resyncs().length === 1);
  await until('nothing held', () => h.pending.ids === 0 && !h.pending.fullPass);
  assert.equal(f.sentIds().size, 0, 'the full pass covers the ids that arrived before it was sent');
  await h.close();
});

test('a queue away past the durable threshold: ids go to the backlog, and reach the queue once it is back', async () => {
  const f = fakes();
  f.queue.mode = 'down';
  const h = new WatchHandoff(f.deps);
  h.add(['a', 'b']);
  await until('the backlog', () => f.backlog.size === 2);
  assert.equal(h.pending.ids, 0, 'memory is let go once PostgreSQL has them');
  h.add(['c']);
  await until('c in the backlog too, at its first failure', () => f.backlog.has('c'));
  f.queue.mode = 'up';
  await until('all accepted', () => f.sentIds().size === 3);
  await until('the backlog cleared', () => f.backlog.size === 0);
  await h.close();
});

test('closing while the queue is away records what is held in the backlog', async () => {
  const f = fakes({ durableAfterMs: 60_000 });
  f.queue.mode = 'down';
  const h = new WatchHandoff(f.deps);
  h.add(['a']);
  h.requestFullPass('test');
  h.add(['b']);
  await sleep(30);
  await h.close(50);
  assert.deepEqual([...f.backlog.keys()].sort(), ['*', 'b']);
});

test('a new hand-off drains what an earlier one left in the backlog', async () => {
  const f = fakes();
  await f.deps.backlog.note(['x', 'y'], true);
  const h = new WatchHandoff(f.deps);
  await until('drained', () => f.backlog.size === 0);
  assert.equal(f.resyncs().length, 1);
  assert.deepEqual([...f.sentIds()].sort(), ['x', 'y']);
  await h.close();
});

test('a large backlog is handed over as one full pass', async () => {
  const f = fakes({ holdLimit: 10 });
  await f.deps.backlog.note(Array.from({ length: 25 }, (_, i) => `u${i}`), false);
  const h = new WatchHandoff(f.deps);
  await until('drained', () => f.backlog.size === 0);
  assert.equal(f.resyncs().length, 1);
  assert.equal(f.sentIds().size, 0);
  await h.close();
});
