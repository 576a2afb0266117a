import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PresenceIntake } from '../../queues/presence-intake';
import type { CicStatusMessage } from '../../domain/presence-mapping';

/** An in-memory stand-in for the Redis hash and the queue, recording what the intake hands over, in order. */
function fakes(opts: { failRecords?: number } = {}) {
  const handed: { userId: string; statusId: string; at: number }[] = [];
  const jobs: string[] = [];
  let catalog: CicStatusMessage[] | undefined;
  let failures = opts.failRecords ?? 0;
  const t0 = Date.now();
  return {
    handed,
    jobs,
    setCatalog: (c: CicStatusMessage[]) => (catalog = c),
    store: {
      async record(statuses: readonly { userId: string; statusId: string }[]) {
        if (failures-- > 0) throw new Error('Redis away');
        for (const s of statuses) handed.push({ userId: s.userId, statusId: s.statusId, at: Date.now() - t0 });
      },
      async catalog() {
        return catalog;
      },
      async saveCatalog(c: readonly CicStatusMessage[]) {
        catalog = [...c];
      },
    },
    queue: {
      async addBulk(list: { name: string }[]) {
        jobs.push(...list.map((j) => j.name));
        return [] as never;
      },
      async add(name: string) {
        jobs.push(name);
        return undefined as never;
      },
    },
    log: { warn: () => {}, info: () => {} },
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a single change leaves at once; a flapping user is held until quiet and only its last status leaves', async () => {
  const f = fakes();
  // A quiet period well above the 30 ms steps, so a slow timer on a busy machine does not split the series.
  const intake = new PresenceIntake({ org: 'o', store: f.store, queue: f.queue, log: f.log, options: { quietMs: 250 } });
  intake.add({ userId: 'calm', statusId: 'Available', loggedIn: true, initial: false });
  intake.add({ userId: 'flappy', statusId: 'S0', loggedIn: true, initial: false });
  for (let i = 1; i <= 10; i++) {
    await wait(30);
    intake.add({ userId: 'flappy', statusId: `S${i}`, loggedIn: true, initial: false });
  }
  await wait(450);
  assert.deepEqual(
    f.handed.map((h) => `${h.userId}:${h.statusId}`),
    ['calm:Available', 'flappy:S0', 'flappy:S10'],
  );
  assert.ok(f.handed[0].at < 50, `the first change left after ${f.handed[0].at} ms`);
  assert.equal(f.jobs.length, 3);
  await intake.close();
});

test('statuses from a new subscription are never held, and what Redis refuses is kept and retried', async () => {
  const f = fakes({ failRecords: 2 });
  const intake = new PresenceIntake({ org: 'o', store: f.store, queue: f.queue, log: f.log, options: { quietMs: 100 } });
  for (let i = 0; i < 5; i++) intake.add({ userId: `u${i}`, statusId: 'Available', loggedIn: true, initial: true });
  intake.add({ userId: 'u0', statusId: 'Gone Home', loggedIn: true, initial: true });
  await wait(1_000);
  assert.deepEqual(f.handed.map((h) => `${h.userId}:${h.statusId}`).sort(), ['u0:Gone Home', 'u1:Available', 'u2:Available', 'u3:Available', 'u4:Available']);
  assert.equal(intake.pending, 0);
  await intake.close();
});

test('a catalog change that the mapping reads queues one remap; the same catalog again does not', async () => {
  const f = fakes();
  const intake = new PresenceIntake({ org: 'o', store: f.store, queue: f.queue, log: f.log });
  const dnd: CicStatusMessage = { statusId: 'Project', messageText: 'Project', groupTag: 'Project' };
  await intake.catalog([dnd]);
  assert.deepEqual(f.jobs, [], 'the first catalog is only stored');
  await intake.catalog([{ ...dnd }]);
  assert.deepEqual(f.jobs, []);
  await intake.catalog([{ ...dnd, isDoNotDisturbStatus: true }]);
  assert.deepEqual(f.jobs, ['remap']);
  await intake.close();
});
