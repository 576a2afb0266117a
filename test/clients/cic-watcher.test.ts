import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging } from '../../lib/logger';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import {
  AuthenticationFailedError,
  watchCic,
  type CicWatchEvent,
  type CicWatchState,
  type WatchCicOptions,
} from '../../clients/cic';

configureLogging({ level: 'silent' });

let sim: CicSimulatorPair | undefined;
let stop: AbortController | undefined;

afterEach(async () => {
  stop?.abort();
  await sim?.close();
});

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim!.urls.admin}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.status === 204 ? undefined : res.json();
}

/** Starts a watch against a fresh simulator pair and records what it reports. */
async function startWatch(
  opts: Partial<WatchCicOptions> = {},
  simOpts: Parameters<typeof startCicSimulatorPair>[0] = {},
) {
  sim = await startCicSimulatorPair({ directory: { count: 25, seed: 11 }, ...simOpts });
  stop = new AbortController();
  const events: CicWatchEvent[] = [];
  const states: CicWatchState[] = [];
  const done = watchCic({
    servers: [sim.urls.primary, sim.urls.backup],
    userId: 'PureCloudAdmin',
    password: 'admin-pass',
    subscribe: { users: true },
    onEvent: (e) => void events.push(e),
    onState: (s) => void states.push(s),
    signal: stop.signal,
    reconnectDelayMs: 20,
    maxReconnectDelayMs: 100,
    ...opts,
  });
  const until = async (what: string, predicate: () => boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        assert.fail(
          `timed out waiting for ${what}; events: ${JSON.stringify(events.map((e) => e.kind))}, states: ${JSON.stringify(states)}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const snapshots = () =>
    events.filter((e): e is CicWatchEvent & { kind: 'users-snapshot' } => e.kind === 'users-snapshot');
  return { sim, events, states, done, until, snapshots };
}

const openSessions = () => sim!.servers.a.sessions.size + sim!.servers.b.sessions.size;

for (const mode of ['poll', 'sse'] as const) {
  test(`${mode}: a snapshot first, then added, changed and removed users`, async () => {
    const w = await startWatch({ mode, pollIntervalMs: 100 });
    await w.until('the snapshot', () => w.snapshots().length === 1);
    assert.equal(w.snapshots()[0].records.length, 25);
    const sample = w.sim.directory.list()[2];
    assert.deepEqual(
      w.snapshots()[0].records.find((r) => r.configurationId.id === sample.configurationId.id),
      {
        configurationId: sample.configurationId,
        personalInformationProperties: sample.personalInformationProperties,
        lastModifiedDate: sample.lastModifiedDate,
      },
      'the subscribed properties, raw',
    );
    assert.deepEqual(w.states[0], { state: 'connected', server: w.sim.urls.primary, attempt: 0 });

    await admin('POST', '/users', {
      id: 'new.agent',
      personalInformationProperties: { emailAddress: 'new.agent@example.com', displayName: 'New Agent' },
    });
    const victim = w.sim.directory.list()[3].configurationId.id;
    await admin('PATCH', `/users/${encodeURIComponent(victim)}`, {
      personalInformationProperties: { emailAddress: null, mobileNumber: '+1 317 555 0100' },
    });
    await admin('DELETE', '/users/new.agent');
    await w.until('three deltas', () => w.events.length === 4);

    const [, added, changed, removed] = w.events;
    assert.equal(added.kind, 'user-added');
    assert.equal(
      added.kind === 'user-added' && added.record.personalInformationProperties?.emailAddress,
      'new.agent@example.com',
    );
    assert.equal(changed.kind === 'user-changed' && changed.userId, victim);
    assert.equal(
      changed.kind === 'user-changed' && changed.record.personalInformationProperties?.emailAddress,
      null,
      'a clear is null',
    );
    assert.equal(
      changed.kind === 'user-changed' && changed.record.personalInformationProperties?.mobileNumber,
      '+1 317 555 0100',
    );
    assert.deepEqual(removed, { kind: 'user-removed', userId: 'new.agent' });

    const streaming = [...w.sim.servers.a.sessions.values()].some((s) => s.streaming);
    assert.equal(streaming, mode === 'sse', `${mode} mode is what the server saw`);
    stop!.abort();
    await w.done;
  });
}

test('a switchover: reconnects to the new primary, emits a fresh snapshot, keeps delivering changes', async () => {
  const w = await startWatch();
  await w.until('the snapshot', () => w.snapshots().length === 1);
  const oldPrimary = w.sim.urls.primary;

  await admin('POST', '/switchover');
  // Made during the gap: must show up in the fresh snapshot rather than be lost.
  await admin('POST', '/users', {
    id: 'gap.user',
    personalInformationProperties: { emailAddress: 'gap@example.com' },
  });
  await w.until('a second snapshot', () => w.snapshots().length === 2);

  assert.notEqual(w.sim.urls.primary, oldPrimary);
  const kinds = w.states.map((s) => s.state);
  assert.deepEqual(kinds.slice(0, 2), ['connected', 'reconnecting']);
  assert.deepEqual(
    w.states.find((s) => s.state === 'switchover'),
    { state: 'switchover', server: w.sim.urls.primary, previousServer: oldPrimary, attempt: 1 },
  );
  assert.deepEqual(w.states.at(-1), { state: 'connected', server: w.sim.urls.primary, attempt: 0 });
  assert.ok(w.snapshots()[1].records.some((r) => r.configurationId.id === 'gap.user'));

  await admin('DELETE', '/users/gap.user');
  await w.until('the removal after the switchover', () => w.events.at(-1)?.kind === 'user-removed');
  assert.equal(openSessions(), 1, 'one live session, on the new primary');
  assert.equal(
    w.sim.servers.a.role === 'primary' ? w.sim.servers.a.sessions.size : w.sim.servers.b.sessions.size,
    1,
  );
});

test('a server that goes down and comes back: retries with backoff, then resumes', async () => {
  const w = await startWatch({ mode: 'sse' });
  await w.until('the snapshot', () => w.snapshots().length === 1);

  await admin('POST', '/servers/primary/down');
  await w.until(
    'a few failed attempts',
    () => w.states.filter((s) => s.state === 'reconnecting').length >= 3,
  );
  assert.equal(
    w.states.filter((s) => s.state === 'connected').length,
    1,
    'no connection while the primary is down',
  );
  await admin('POST', '/users', {
    id: 'while.down',
    personalInformationProperties: { emailAddress: 'down@example.com' },
  });

  await admin('POST', '/servers/primary/up');
  await w.until('a second snapshot', () => w.snapshots().length === 2, 8_000);
  assert.ok(w.snapshots()[1].records.some((r) => r.configurationId.id === 'while.down'));
  assert.equal(w.states.at(-1)?.state, 'connected');
  const attempts = w.states.filter((s) => s.state === 'reconnecting').map((s) => s.attempt);
  assert.deepEqual(
    attempts,
    attempts.map((_, i) => i + 1),
    'attempts count up until connected',
  );

  await admin('PATCH', '/users/while.down', { personalInformationProperties: { title: 'Survivor' } });
  await w.until('a change after coming back', () => w.events.at(-1)?.kind === 'user-changed');
});

test('a silent event stream is given up for a new session and a fresh snapshot', async () => {
  const w = await startWatch({ mode: 'sse', sseIdleTimeoutMs: 100 }, { pingIntervalMs: 60_000 });
  await w.until('a second snapshot', () => w.snapshots().length === 2);
  const reconnect = w.states.find((s) => s.state === 'reconnecting');
  assert.match(reconnect?.reason ?? '', /went silent/);
  stop!.abort();
  await w.done;
  assert.equal(openSessions(), 0, 'the silent sessions were logged out');
});

test('the primary dies and the backup takes over', async () => {
  const w = await startWatch({ mode: 'poll', pollIntervalMs: 100 });
  await w.until('the snapshot', () => w.snapshots().length === 1);
  const first = w.sim.urls.primary;
  await admin('POST', '/servers/primary/down');
  await admin('POST', '/switchover');
  await w.until('a second snapshot', () => w.snapshots().length === 2, 8_000);
  assert.equal(w.states.at(-1)?.server, w.sim.urls.primary);
  assert.notEqual(w.sim.urls.primary, first);
  assert.ok(w.states.some((s) => s.state === 'switchover'));
});

test('status changes for listed users, with the time CIC stamped', async () => {
  sim = await startCicSimulatorPair({ directory: { count: 10, seed: 5 } });
  const [a, b, c] = sim.directory
    .list()
    .slice(1, 4)
    .map((u) => u.configurationId.id);
  await sim.close();
  const w = await startWatch({ subscribe: { statuses: [a, b] } }, { directory: { count: 10, seed: 5 } });
  await w.until('the initial statuses', () => w.events.length === 2);
  assert.ok(w.events.every((e) => e.kind === 'status-changed' && e.initial));

  await admin('PUT', `/users/${encodeURIComponent(a)}/status`, {
    statusId: 'Do Not Disturb',
    loggedIn: true,
  });
  await admin('PUT', `/users/${encodeURIComponent(c)}/status`, { statusId: 'At Lunch' });
  await w.until('one change', () => w.events.length === 3);
  const change = w.events[2];
  assert.equal(change.kind, 'status-changed');
  if (change.kind !== 'status-changed') return;
  assert.equal(change.userId, a);
  assert.equal(change.statusId, 'Do Not Disturb');
  assert.equal(change.loggedIn, true);
  assert.equal(change.initial, false);
  assert.ok(Math.abs(Date.parse(change.at) - Date.now()) < 5_000, `at ${change.at} is an ISO time near now`);
  assert.ok(!w.events.some((e) => e.kind === 'status-changed' && e.userId === c), 'unwatched users stay out');
});

test("'all-users' statuses follow the directory, and a reconnect repeats no unchanged status", async () => {
  const w = await startWatch({ subscribe: { statuses: 'all-users' } }, { directory: { count: 8, seed: 9 } });
  await w.until('everyone’s status', () => w.events.length === 8);
  assert.ok(
    w.events.every((e) => e.kind === 'status-changed'),
    'no user events when users were not asked for',
  );

  await admin('POST', '/users', { id: 'late.joiner' });
  await w.until('the newcomer’s initial status', () =>
    w.events.some((e) => e.kind === 'status-changed' && e.userId === 'late.joiner'),
  );
  await admin('PUT', '/users/late.joiner/status', { statusId: 'Available', loggedIn: true });
  await w.until(
    'the newcomer’s change',
    () => w.events.filter((e) => e.kind === 'status-changed' && e.userId === 'late.joiner').length === 2,
  );

  const before = w.events.length;
  await admin('POST', '/switchover');
  await w.until('reconnected', () => w.states.filter((s) => s.state === 'connected').length === 2);
  await admin('PUT', '/users/late.joiner/status', { statusId: 'Gone Home', loggedIn: false });
  await w.until('the change after the switchover', () => w.events.length === before + 1);
  const last = w.events.at(-1)!;
  assert.equal(last.kind === 'status-changed' && last.statusId, 'Gone Home');
});

test('interactions on watched queues become interaction events', async () => {
  sim = await startCicSimulatorPair({ directory: { count: 5, seed: 2 } });
  const agent = sim.directory.list()[2].configurationId.id;
  await sim.close();
  const w = await startWatch(
    {
      subscribe: {
        queues: {
          queueIds: [{ queueType: 1, queueName: agent }],
          attributeNames: ['Eic_State', 'Eic_RemoteName'],
        },
      },
    },
    { directory: { count: 5, seed: 2 } },
  );
  await w.until('connected', () => w.states.length === 1);
  const started = (await admin('POST', '/interactions', {
    type: 'call',
    userId: agent,
    remoteName: 'Pat',
  })) as { interactionId: string };
  await admin('POST', `/interactions/${started.interactionId}/advance`, { to: 'connected' });
  await admin('POST', `/interactions/${started.interactionId}/advance`, { to: 'disconnected' });
  await admin('POST', `/interactions/${started.interactionId}/advance`, { to: 'removed' });
  await w.until('four interaction events', () => w.events.length === 4);
  assert.deepEqual(
    w.events.map((e) => e.kind === 'interaction' && [e.change, e.interactionId, e.attributes.Eic_State]),
    [
      ['added', started.interactionId, 'O'],
      ['changed', started.interactionId, 'C'],
      ['changed', started.interactionId, 'E'],
      ['removed', started.interactionId, undefined],
    ],
  );
});

test('abort stops the watch cleanly and logs out', async () => {
  const w = await startWatch({ mode: 'sse' });
  await w.until('the snapshot', () => w.snapshots().length === 1);
  assert.equal(openSessions(), 1);
  stop!.abort();
  await w.done;
  assert.equal(openSessions(), 0);
});

test('abort while reconnecting stops the watch too', async () => {
  const w = await startWatch({ reconnectDelayMs: 10_000, maxReconnectDelayMs: 10_000 });
  await w.until('the snapshot', () => w.snapshots().length === 1);
  await admin('POST', '/servers/primary/down');
  await w.until('reconnecting', () => w.states.some((s) => s.state === 'reconnecting'));
  const t0 = Date.now();
  stop!.abort();
  await w.done;
  assert.ok(Date.now() - t0 < 1_000, 'did not wait out the backoff');
});

test('bad credentials stop the watch with AuthenticationFailedError', async () => {
  const w = await startWatch({ password: 'wrong' });
  await assert.rejects(w.done, AuthenticationFailedError);
  assert.deepEqual(w.states, []);
});

test('an onEvent failure stops the watch with that error and closes the session', async () => {
  const w = await startWatch({
    onEvent: () => {
      throw new Error('consumer broke');
    },
  });
  await assert.rejects(w.done, /consumer broke/);
  assert.equal(openSessions(), 0);
});
