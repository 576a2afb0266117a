import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  clientCredentialsProvider,
  createGenesysClient,
  createHttpClient,
  GenesysApiError,
} from '../../clients/genesys';
import { useGenesysClientSuite } from '../support/genesys-client-fixture';

const { sim, options, client } = useGenesysClientSuite('genesys_http');

beforeEach(() => {
  sim.state.setRateLimit(300);
});

/** A bare HTTP client with quick backoff, for the retry-policy tests. */
function bare(opts: { maxRetries?: number; timeoutMs?: number } = {}) {
  const tokens = clientCredentialsProvider({
    loginUrl: sim.urls.login,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  return createHttpClient({ baseUrl: sim.urls.api, tokens, backoffBaseMs: 20, ...opts });
}

/** What reached the API host (the login host has its own POSTs). */
const log = (method: string, template?: string) =>
  sim.state.requestLog
    .entries()
    .filter((e) => e.host === 'api' && e.method === method && (!template || e.template === template));
const SOURCES = '/api/v2/presence/sources';

async function newUser(gc: ReturnType<typeof client>) {
  return gc.scim.createUser({ userName: `u${randomBytes(3).toString('hex')}@example.com`, displayName: 'U' });
}

test('GET and PATCH-with-If-Match survive injected 5xx and dropped connections', async () => {
  const gc = client();
  const u = await newUser(gc);
  sim.state.faults.add({ host: 'api', kind: 'error', status: 503, method: 'GET', count: 2 });
  assert.equal((await gc.scim.getUser(u.id)).id, u.id);
  sim.state.faults.add({ host: 'api', kind: 'drop', method: 'GET', count: 1 });
  assert.equal((await gc.scim.getUser(u.id)).id, u.id);
  sim.state.faults.add({ host: 'api', kind: 'drop', method: 'PATCH', count: 1 });
  sim.state.faults.add({ host: 'api', kind: 'error', status: 502, method: 'PATCH', count: 1 });
  const ops = [{ op: 'replace' as const, path: 'title', value: 'Engineer' }];
  assert.equal((await gc.scim.patchUser(u.id, ops, { ifMatch: u.meta?.version })).title, 'Engineer');
  assert.deepEqual(
    log('PATCH').map((e) => e.outcome),
    ['dropped', 'response', 'response'],
  );
  assert.equal(gc.stats.serverErrors, 3);
  assert.equal(gc.stats.networkErrors, 2);
  assert.equal(gc.stats.retries, 5);
});

test('a POST without an idempotency key, or a PATCH without If-Match, is never repeated blindly', async () => {
  const gc = client();
  sim.state.faults.add({ host: 'api', kind: 'error', status: 503, method: 'POST', count: 1 });
  await assert.rejects(gc.presence.ensureSource('bridge'), (err) => {
    assert.ok(err instanceof GenesysApiError);
    assert.equal(err.type, 'GenesysServerError');
    assert.equal(err.retryable, true, 'the caller (a Temporal activity) may retry after checking');
    return true;
  });
  sim.state.faults.add({ host: 'api', kind: 'drop', method: 'POST', count: 1 });
  await assert.rejects(gc.scim.createUser({ userName: 'x@example.com', displayName: 'X' }), {
    type: 'GenesysNetworkError',
  });
  assert.equal(log('POST').length, 2, 'one attempt each');

  const u = await newUser(gc);
  sim.state.faults.add({ host: 'api', kind: 'error', status: 500, method: 'PATCH', count: 1 });
  await assert.rejects(gc.scim.patchUser(u.id, [{ op: 'replace', path: 'title', value: 'T' }]), {
    type: 'GenesysServerError',
  });
  assert.equal(log('PATCH').length, 1);
});

test('a POST carrying an idempotency key is retried', async () => {
  const http = bare();
  sim.state.faults.add({ host: 'api', kind: 'error', status: 503, method: 'POST', count: 2 });
  const res = await http.request({
    method: 'POST',
    path: SOURCES,
    body: { name: 'keyed' },
    idempotencyKey: 'source-keyed',
  });
  assert.equal(res.status, 200);
  assert.equal(log('POST', SOURCES).length, 3);
});

test('timeouts are retried, and after maxRetries the retryable error goes to the caller', async () => {
  const http = bare({ timeoutMs: 300, maxRetries: 2 });
  sim.state.faults.add({ host: 'api', kind: 'timeout', method: 'GET', count: 1 });
  assert.equal((await http.request({ method: 'GET', path: SOURCES })).status, 200);
  assert.equal(http.stats.networkErrors, 1);

  sim.state.faults.add({ host: 'api', kind: 'error', status: 503, method: 'GET' });
  await assert.rejects(http.request({ method: 'GET', path: SOURCES }), (err) => {
    assert.ok(err instanceof GenesysApiError);
    assert.equal(err.retryable, true);
    assert.equal(err.status, 503);
    return true;
  });
  assert.equal(http.stats.retries, 3);
});

test('a body over 512 000 bytes is refused before it is sent', async () => {
  const http = bare();
  const body = { name: 'x'.repeat(600_000) };
  await assert.rejects(http.request({ method: 'POST', path: SOURCES, body }), {
    type: 'GenesysPayloadTooLarge',
    retryable: false,
  });
  assert.equal(http.stats.requests, 0);
});

test('a 429 storm: Retry-After is honoured and pauses every caller sharing the budget', async () => {
  // Two "processes": same OAuth client and budget prefix, each with its own token cache and stats.
  const shared = options();
  const [a, b] = [createGenesysClient(shared), createGenesysClient(shared)];
  await Promise.all([a.fetchOrganization(), b.fetchOrganization()]);
  sim.state.requestLog.clear();
  sim.state.faults.add({
    kind: 'rateLimit',
    retryAfterSeconds: 1,
    pathPattern: '/organizations/me$',
    count: 2,
  });
  const started = Date.now();
  await Promise.all([
    a.fetchOrganization(),
    a.fetchOrganization(),
    b.fetchOrganization(),
    b.fetchOrganization(),
  ]);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 950 && elapsed < 3500, `took ${elapsed} ms`);
  assert.equal(a.stats.rateLimited + b.stats.rateLimited, 2);
  const entries = sim.state.requestLog.entries();
  const limited = entries.filter((e) => e.status === 429).map((e) => Date.parse(e.at));
  assert.equal(limited.length, 2);
  for (const e of entries.filter((x) => x.status === 200)) {
    const at = Date.parse(e.at);
    // Nothing goes out while a Retry-After announced to any caller is running.
    assert.ok(
      limited.every((t) => at < t + 50 || at >= t + 950),
      `a request at ${e.at} ignored a Retry-After`,
    );
  }
});

test('without a shared budget, the client itself sleeps out Retry-After', async () => {
  const http = bare();
  sim.state.faults.add({ host: 'api', kind: 'rateLimit', retryAfterSeconds: 1, count: 1 });
  const started = Date.now();
  assert.equal((await http.request({ method: 'GET', path: SOURCES })).status, 200);
  assert.ok(Date.now() - started >= 950, `took ${Date.now() - started} ms`);
  assert.equal(http.stats.rateLimited, 1);
});

test('with budget and server limit equal, the budget holds requests back and the server never answers 429', async () => {
  sim.state.setRateLimit(30);
  const gc = createGenesysClient(options({ rateLimitPerMinute: 30 }));
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 1500);
  const results = await Promise.allSettled(
    Array.from({ length: 35 }, () =>
      gc.http.request({ method: 'GET', path: SOURCES, priority: 'high', signal: abort.signal }),
    ),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 30);
  assert.equal(
    results.filter((r) => r.status === 'rejected').length,
    5,
    'the rest were still waiting for the window',
  );
  assert.equal(sim.state.requestLog.count({ status: 429 }), 0);
});

test('a budget set higher than the server allows is pulled down by inin-ratelimit-* before any 429', async () => {
  sim.state.setRateLimit(10);
  const gc = createGenesysClient(options({ rateLimitPerMinute: 100 }));
  let done = 0;
  for (let i = 0; i < 12; i++) {
    try {
      await gc.http.request({
        method: 'GET',
        path: SOURCES,
        priority: 'high',
        signal: AbortSignal.timeout(1000),
      });
      done++;
    } catch (err) {
      assert.equal((err as Error).name, 'TimeoutError');
      break;
    }
  }
  assert.equal(done, 10);
  assert.equal(sim.state.requestLog.count({ status: 429 }), 0);
  assert.ok((await gc.budget.usage()).pausedForMs > 50_000, 'paused until the server window resets');
});
