import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging } from '../../lib/logger';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import {
  AuthenticationFailedError,
  CicNetworkError,
  ServerUnavailableError,
  classifyIcwsError,
  nonRetryableCicErrorTypes,
  IcwsSession,
  SessionEndedError,
  resolveAlternateHost,
  verifyCredentials,
} from '../../clients/cic';

configureLogging({ level: 'silent' });

let sim: CicSimulatorPair;
const admin = { userId: 'PureCloudAdmin', password: 'admin-pass' };

before(async () => {
  sim = await startCicSimulatorPair({ directory: { count: 20, seed: 7 } });
});

const openSessions = () => sim.servers.a.sessions.size + sim.servers.b.sessions.size;

after(async () => {
  await sim?.close();
});

test('connect opens a session whose calls carry the CSRF token and cookie', async () => {
  const session = await IcwsSession.connect({
    servers: [sim.urls.primary, sim.urls.backup],
    ...admin,
    applicationName: 'cic-session test',
  });
  try {
    assert.equal(session.server, sim.urls.primary);
    assert.match(session.sessionId, /^\d+$/);
    assert.equal(session.userId, 'PureCloudAdmin');
    assert.ok(session.featureVersion('messaging') >= 2, 'features were asked for on connect');
    assert.deepEqual(session.alternateServers, [sim.urls.backup], 'the peer, as a URL with our scheme');

    const res = await session.request<{ connectionState: number }>('GET', '/connection');
    assert.equal(res.body.connectionState, 1);

    // The same URL without the token or the cookie is refused: the session really depends on both.
    const bare = await fetch(`${sim.urls.primary}/icws/${session.sessionId}/connection`, {
      headers: { 'Accept-Language': 'en-us' },
    });
    assert.equal(bare.status, 401);
  } finally {
    await session.close();
  }
});

test('secrets never show when a session is serialised or inspected', async () => {
  const session = await IcwsSession.connect({ servers: [sim.urls.primary], ...admin });
  try {
    const [live] = [...sim.servers.a.sessions.values(), ...sim.servers.b.sessions.values()].filter(
      (s) => s.id === session.sessionId,
    );
    const shown = JSON.stringify(session) + require('node:util').inspect(session);
    assert.ok(!shown.includes(live.csrfToken), 'no CSRF token');
    assert.ok(!shown.includes(live.cookieValue), 'no cookie');
    assert.ok(!shown.includes(admin.password), 'no password');
  } finally {
    await session.close();
  }
});

test('close logs out; a session ended by the server fails with SessionEndedError', async () => {
  const first = await IcwsSession.connect({ servers: [sim.urls.primary], ...admin });
  await first.close();
  assert.equal(first.ended, true);
  assert.equal(openSessions(), 0);
  await first.close(); // twice is fine

  const second = await IcwsSession.connect({ servers: [sim.urls.primary], ...admin });
  const res = await fetch(`${sim.urls.admin}/__admin/sessions/${second.sessionId}`, { method: 'DELETE' });
  assert.equal(res.status, 204);
  const err = await second.request('GET', '/connection').catch((e: unknown) => e);
  assert.ok(err instanceof SessionEndedError);
  assert.equal(err.retryable, true);
  assert.equal(second.ended, true);
  await second.close();
});

test('a wrong password is AuthenticationFailedError, not retryable, and no other server is tried', async () => {
  await fetch(`${sim.urls.admin}/__admin/requests`, { method: 'DELETE' });
  const err = await IcwsSession.connect({
    servers: [sim.urls.primary, sim.urls.backup],
    userId: 'PureCloudAdmin',
    password: 'nope',
  }).then(
    () => assert.fail('connected with a wrong password'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AuthenticationFailedError);
  assert.equal(err.name, 'CicAuthenticationFailed');
  assert.equal(err.retryable, false);
  assert.equal(err.errorId, 'error.request.connection.authenticationFailure');
  const counts = (await (await fetch(`${sim.urls.admin}/__admin/requests`)).json()) as {
    byServer: Record<string, Record<string, number>>;
  };
  assert.deepEqual(counts.byServer[sim.servers.b.name], {}, 'the backup was never asked');
});

test('connecting to the backup first follows its alternateHostList to the primary', async () => {
  // The primary is not among the configured servers here, so it must be allowed by name to be followed.
  const session = await IcwsSession.connect({ servers: [sim.urls.backup], ...admin, allowedHosts: [new URL(sim.urls.primary).host] });
  try {
    assert.equal(session.server, sim.urls.primary);
  } finally {
    await session.close();
  }
});

test('an unreachable server is skipped; none reachable is a retryable CicNetworkError', async () => {
  const dead = 'http://127.0.0.1:9';
  const session = await IcwsSession.connect({
    servers: [dead, sim.urls.primary],
    ...admin,
    timeoutMs: 2_000,
  });
  await session.close();
  const err = await IcwsSession.connect({ servers: [dead], ...admin, timeoutMs: 2_000 }).catch(
    (e: unknown) => e,
  );
  assert.ok(err instanceof CicNetworkError);
  assert.equal(err.retryable, true);
});

test('verifyCredentials says ok with the display name, or why not, and leaves no session open', async () => {
  const user = sim.directory
    .list()
    .find((u) => u.configurationId.id !== 'PureCloudAdmin' && u.personalInformationProperties?.displayName)!;
  const ok = await verifyCredentials({
    servers: [sim.urls.backup, sim.urls.primary],
    userId: user.configurationId.id,
    password: 'password',
  });
  assert.deepEqual(ok, {
    ok: true,
    userId: user.configurationId.id,
    displayName: user.personalInformationProperties!.displayName,
  });

  const bad = await verifyCredentials({
    servers: [sim.urls.primary],
    userId: user.configurationId.id,
    password: 'wrong',
  });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.reason, 'invalid-credentials');

  const unknownUser = await verifyCredentials({
    servers: [sim.urls.primary],
    userId: 'no-such-user',
    password: 'password',
  });
  assert.equal(!unknownUser.ok && unknownUser.reason, 'invalid-credentials');

  const down = await verifyCredentials({
    servers: ['http://127.0.0.1:9'],
    userId: 'x',
    password: 'y',
    timeoutMs: 2_000,
  });
  assert.equal(!down.ok && down.reason, 'server-unavailable');

  assert.equal(openSessions(), 0);
});

test('failures are classified once: what to retry, where to go, when to reconnect', () => {
  const unavailable = classifyIcwsError('http://a', 503, {
    errorId: 'error.server.notAcceptingConnections',
    alternateHostList: ['b:1'],
  });
  assert.ok(unavailable instanceof ServerUnavailableError);
  assert.deepEqual(unavailable.alternateHostList, ['b:1']);
  assert.equal(unavailable.retryable, true);
  assert.ok(classifyIcwsError('http://a', 401, { errorCode: 2 }) instanceof SessionEndedError);
  assert.ok(classifyIcwsError('http://a', 401, {}, true) instanceof AuthenticationFailedError);
  assert.equal(classifyIcwsError('http://a', 500, {}).retryable, true);
  const notFound = classifyIcwsError('http://a', 404, { errorId: 'error.request.notFound', message: 'gone' });
  assert.equal(notFound.retryable, false);
  assert.equal(notFound.message, 'gone');
  assert.deepEqual(nonRetryableCicErrorTypes, ['CicAuthenticationFailed']);
});

test('alternate hosts keep the scheme and port of the server that named them', () => {
  assert.equal(resolveAlternateHost('cic2', 'https://cic1.example.com:8019'), 'https://cic2:8019');
  assert.equal(resolveAlternateHost('cic2:9000', 'https://cic1:8019'), 'https://cic2:9000');
  assert.equal(resolveAlternateHost('http://cic2:8018/', 'https://cic1:8019'), 'http://cic2:8018');
});
