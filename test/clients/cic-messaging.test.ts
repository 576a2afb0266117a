import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging } from '../../lib/logger';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import {
  CicNetworkError,
  IcwsSession,
  SessionEndedError,
  messages,
  subscribeQueues,
  subscribeUsers,
  subscribeUserStatuses,
  type IcwsMessage,
} from '../../clients/cic';
import { readServerSentEvents } from '../../clients/cic/sse';

configureLogging({ level: 'silent' });

let sim: CicSimulatorPair;
const connect = () =>
  IcwsSession.connect({ servers: [sim.urls.primary], userId: 'PureCloudAdmin', password: 'admin-pass' });

before(async () => {
  sim = await startCicSimulatorPair({
    directory: { count: 30, seed: 3 },
    pingIntervalMs: 200,
    sseRetryMs: 20,
  });
});

after(async () => {
  await sim?.close();
});

async function take(iterator: AsyncGenerator<IcwsMessage>, count: number): Promise<IcwsMessage[]> {
  const out: IcwsMessage[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

for (const mode of ['poll', 'sse'] as const) {
  test(`${mode}: subscription messages arrive typed, in order`, async () => {
    const session = await connect();
    const stop = new AbortController();
    try {
      const someone = sim.directory.list()[mode === 'poll' ? 4 : 5].configurationId.id;
      await subscribeUsers(session, 'u1');
      await subscribeUserStatuses(session, [someone]);
      await subscribeQueues(
        session,
        'q1',
        [{ queueType: 1, queueName: someone }],
        ['Eic_State', 'Eic_RemoteName'],
      );
      const iterator = messages(session, { mode, signal: stop.signal, pollIntervalMs: 50 });

      const [users, statuses, queue] = await take(iterator, 3);
      assert.equal(users.kind, 'users');
      assert.equal(users.kind === 'users' && users.isDelta, false);
      assert.equal(users.kind === 'users' && users.added.length, sim.directory.size);
      assert.equal(statuses.kind === 'user-statuses' && statuses.userStatusList[0].userId, someone);
      assert.equal(queue.kind === 'queue-contents' && queue.interactionsAdded.length, 0);

      sim.directory.change(someone, { personalInformationProperties: { mobileNumber: null, title: 'Boss' } });
      sim.directory.remove(sim.directory.list()[7].configurationId.id);
      sim.interactions.start({ type: 'call', userId: someone, remoteName: 'Caller' });
      const [changed, removed, added] = await take(iterator, 3);
      assert.equal(changed.kind === 'users' && changed.isDelta, true);
      assert.equal(changed.kind === 'users' && changed.changed[0].configurationId.id, someone);
      assert.ok(removed.kind === 'users' && removed.removed.length === 1);
      assert.ok(
        added.kind === 'queue-contents' && added.interactionsAdded[0].attributes.Eic_RemoteName === 'Caller',
      );

      stop.abort();
      assert.equal((await iterator.next()).done, true, 'abort ends the iterator without an error');
    } finally {
      stop.abort();
      await session.close();
    }
  });

  test(`${mode}: a switchover ends the iterator with SessionEndedError`, async () => {
    const session = await connect();
    const stop = new AbortController();
    try {
      await subscribeUserStatuses(session, []);
      const iterator = messages(session, { mode, signal: stop.signal, pollIntervalMs: 50 });
      await take(iterator, 1);
      const pending = iterator.next();
      await sim.switchover();
      await assert.rejects(pending, SessionEndedError);
    } finally {
      stop.abort();
      await session.close();
    }
  });
}

test('sse: a stream the server closes is reopened on the same session', async () => {
  const session = await connect();
  const stop = new AbortController();
  try {
    const someone = sim.directory.list()[6].configurationId.id;
    await subscribeUserStatuses(session, [someone]);
    const iterator = messages(session, { mode: 'sse', signal: stop.signal });
    await take(iterator, 1);
    const key = 'GET /icws/{sessionId}/messaging/messages';
    const opens = () =>
      (sim.servers.a.requestCounts.get(key) ?? 0) + (sim.servers.b.requestCounts.get(key) ?? 0);
    const before = opens();
    const pending = take(iterator, 1);
    // A second stream on the session makes the server end the first one, cleanly.
    const thief = new AbortController();
    await session.openStream('/messaging/messages', thief.signal);
    sim.directory.setStatus(someone, { statusId: 'At Lunch' }); // goes to the thief's stream
    while (opens() < before + 2) await new Promise((r) => setTimeout(r, 5));
    sim.directory.setStatus(someone, { statusId: 'In a meeting' });
    const [next] = await pending;
    thief.abort();
    assert.equal(next.kind === 'user-statuses' && next.userStatusList[0].statusId, 'In a meeting');
    assert.equal(session.ended, false, 'still the same session');
  } finally {
    stop.abort();
    await session.close();
  }
});

test('sse: a silent stream ends the session with SessionEndedError, as messages may be lost', async () => {
  const session = await connect();
  const stop = new AbortController();
  try {
    // Pings come every 200 ms, so a 50 ms idle limit declares the stream dead.
    const iterator = messages(session, { mode: 'sse', signal: stop.signal, idleTimeoutMs: 50 });
    const err = await iterator.next().catch((e: unknown) => e);
    assert.ok(err instanceof SessionEndedError, String(err));
    assert.match(err.message, /went silent/);
    assert.equal(session.ended, true);
    assert.ok(
      ![...sim.servers.a.sessions.keys(), ...sim.servers.b.sessions.keys()].includes(session.sessionId),
      'logged out',
    );
  } finally {
    stop.abort();
    await session.close();
  }
});

test('sse: a server that goes down ends the iterator with CicNetworkError', async () => {
  const session = await connect();
  const stop = new AbortController();
  try {
    const iterator = messages(session, { mode: 'sse', signal: stop.signal });
    const pending = iterator.next();
    await new Promise((r) => setTimeout(r, 100));
    await sim.setServerUp('primary', false);
    await assert.rejects(pending, CicNetworkError);
  } finally {
    stop.abort();
    await sim.setServerUp('a', true);
    await sim.setServerUp('b', true);
    await session.close();
  }
});

test('the event-stream reader handles split chunks, CRLF, comments, multi-line data and retry', async () => {
  const text = 'retry: 2500\r\n\r\n:ping\n\ndata: {"a":\ndata: 1}\n\nevent: x\ndata:2\r\n\r\n';
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
      controller.close();
    },
  });
  let retry = 0;
  const events = [];
  for await (const event of readServerSentEvents(body, { onRetry: (ms) => (retry = ms) })) events.push(event);
  assert.equal(retry, 2500);
  assert.deepEqual(events, [
    { event: undefined, data: '{"a":\n1}' },
    { event: 'x', data: '2' },
  ]);
});
