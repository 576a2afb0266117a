import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, beforeEach, describe, it } from 'node:test';
import { clientToken, simFetch } from '../../simulators/genesys/sim-client';
import { useGenesysSimulator } from '../support/genesys-sim-fixture';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** Sends a chunked body (no Content-Length) so the size limit must be enforced while streaming. */
function chunkedPost(url: string, token: string, chunks: number, chunkSize: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(chunkSize, 'a');
    for (let i = 0; i < chunks; i++) req.write(chunk);
    req.end();
  });
}

/** Polls until `done` holds: the server logs a hung or dropped request only when its socket closes. */
async function eventually<T>(get: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Genesys simulator: limits and fault injection', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 5 });
  let token: string;
  let users: string;
  const admin = (path: string, req: Parameters<typeof simFetch>[1] = {}) =>
    simFetch(`${sim.urls.admin}/__admin${path}`, req);
  const addFault = async (json: Record<string, unknown>) => {
    const res = await admin('/faults', { json });
    assert.equal(res.status, 201, res.text);
    return res.body;
  };

  before(() => {
    users = `${sim.urls.api}/api/v2/scim/v2/users`;
  });
  beforeEach(async () => {
    sim.state.setRateLimit(5);
    token = await clientToken(sim.urls.login);
  });

  describe('rate limit', () => {
    it('counts per token in a fixed window and answers 429 with Retry-After beyond the limit', async () => {
      for (let i = 1; i <= 5; i++) {
        const res = await simFetch(users, { token });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('inin-ratelimit-count'), String(i));
        assert.equal(res.headers.get('inin-ratelimit-allowed'), '5');
        const reset = Number(res.headers.get('inin-ratelimit-reset'));
        assert.ok(reset >= 1 && reset <= 60, String(reset));
      }
      const limited = await simFetch(users, { token });
      assert.equal(limited.status, 429);
      const retry = Number(limited.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 60);
      assert.equal(limited.body.code, 'too.many.requests.retry.after');
      assert.equal(limited.body.status, 429);
      assert.match(limited.body.message, /Retry/);
      assert.equal(limited.headers.get('inin-ratelimit-count'), '6');

      const other = await clientToken(sim.urls.login);
      assert.equal((await simFetch(users, { token: other })).status, 200, 'each token has its own window');
    });

    it('changes the limit at run time and turns it off with 0', async () => {
      for (let i = 0; i < 5; i++) await simFetch(users, { token });
      assert.equal((await simFetch(users, { token })).status, 429);
      assert.equal((await admin('/rate-limit', { method: 'PUT', json: { perMinute: 0 } })).status, 200);
      for (let i = 0; i < 20; i++) {
        const res = await simFetch(users, { token });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('inin-ratelimit-count'), null);
      }
      await admin('/rate-limit', { method: 'PUT', json: { perMinute: 2 } });
      await simFetch(users, { token });
      await simFetch(users, { token });
      assert.equal((await simFetch(users, { token })).status, 429);
      assert.equal((await admin('/rate-limit', { method: 'PUT', json: { perMinute: -1 } })).status, 400);
    });
  });

  describe('request size', () => {
    it('answers 413 above 512,000 bytes, declared or streamed', async () => {
      sim.state.setRateLimit(0);
      const big = JSON.stringify({
        schemas: [USER],
        userName: 'big@example.com',
        displayName: 'x'.repeat(512_000),
      });
      const declared = await simFetch(users, {
        token,
        body: big,
        headers: { 'content-type': 'application/scim+json' },
      });
      assert.equal(declared.status, 413);
      assert.equal(declared.body.status, '413');
      assert.equal(await chunkedPost(users, token, 40, 16_000), 413);
      const huge = await simFetch(users, {
        token,
        body: Buffer.alloc(9_000_000, 'a'),
        headers: { 'content-type': 'application/json' },
      }).catch((err: Error) => err);
      assert.ok(huge instanceof Error || huge.status === 413);
      const under = JSON.stringify({
        schemas: [USER],
        userName: 'under@example.com',
        displayName: 'x'.repeat(511_000),
      });
      assert.equal(
        (await simFetch(users, { token, body: under, headers: { 'content-type': 'application/json' } }))
          .status,
        400,
      );
    });
  });

  describe('faults', () => {
    beforeEach(() => sim.state.setRateLimit(0));

    it('adds latency', async () => {
      await addFault({ kind: 'latency', latencyMs: 250 });
      const started = Date.now();
      assert.equal((await simFetch(users, { token })).status, 200);
      assert.ok(Date.now() - started >= 240);
    });

    it('answers 503 with the Genesys error body for the next N requests only', async () => {
      await addFault({ kind: 'error', status: 503, count: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await simFetch(users, { token });
        assert.equal(res.status, 503);
        assert.equal(res.body.code, 'service.unavailable');
        assert.equal(res.body.status, 503);
      }
      assert.equal((await simFetch(users, { token })).status, 200);
      assert.deepEqual((await admin('/faults')).body.faults, []);
    });

    it('limits a fault to a path pattern and method, and clears faults', async () => {
      await addFault({
        kind: 'error',
        status: 500,
        pathPattern: '^/api/v2/scim/v2/users/[^/]+$',
        method: 'PATCH',
      });
      assert.equal((await simFetch(users, { token })).status, 200);
      const patched = await simFetch(`${users}/some-id`, { method: 'PATCH', token, json: {} });
      assert.equal(patched.status, 500);
      assert.equal((await simFetch(`${users}/some-id`, { token })).status, 404);
      assert.equal((await admin('/faults', { method: 'DELETE' })).status, 200);
      assert.equal((await simFetch(`${users}/some-id`, { method: 'PATCH', token, json: {} })).status, 404);
    });

    it('storms 429 with Retry-After', async () => {
      await addFault({ kind: 'rateLimit', retryAfterSeconds: 7, share: 1 });
      const res = await simFetch(users, { token });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.equal(res.body.code, 'too.many.requests.retry.after');
    });

    it('applies a share of requests only', async () => {
      await addFault({ kind: 'error', share: 0.5 });
      let failed = 0;
      for (let i = 0; i < 200; i++) if ((await simFetch(users, { token })).status === 503) failed++;
      assert.ok(failed > 50 && failed < 150, String(failed));
    });

    it('hangs until the client gives up, and logs the request as hung', async () => {
      await addFault({ kind: 'timeout', count: 1 });
      await assert.rejects(simFetch(users, { token, signal: AbortSignal.timeout(300) }), /abort|timeout/i);
      const log = await eventually(
        () => admin('/requests?template=/api/v2/scim/v2/users'),
        (r) => r.body.entries.length > 0,
      );
      assert.equal(log.body.entries.at(-1).outcome, 'hung');
      assert.equal((await simFetch(users, { token })).status, 200);
    });

    it('drops the connection', async () => {
      await addFault({ kind: 'drop', count: 1 });
      await assert.rejects(simFetch(users, { token }), /fetch failed|other side closed|socket/i);
      const { entries } = (
        await eventually(
          () => admin('/requests'),
          (r) => r.body.entries.length > 0,
        )
      ).body;
      assert.equal(entries.at(-1).outcome, 'dropped');
      assert.equal((await simFetch(users, { token })).status, 200);
    });

    it('applies a write, then drops the connection instead of answering', async () => {
      await addFault({ kind: 'dropAfterApply', count: 1, method: 'DELETE' });
      const created = await simFetch(users, { token, method: 'POST', json: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'drop.after@example.com', displayName: 'Drop After' } });
      assert.equal(created.status, 201);
      await assert.rejects(simFetch(`${users}/${created.body.id}`, { token, method: 'DELETE' }), /fetch failed|other side closed|socket/i);
      assert.equal((await simFetch(`${users}/${created.body.id}`, { token })).status, 404, 'the DELETE was applied');
      const { entries } = (await eventually(() => admin('/requests'), (r) => r.body.entries.some((e: any) => e.method === 'DELETE'))).body;
      assert.equal(entries.find((e: any) => e.method === 'DELETE').outcome, 'dropped');
    });

    it('injects faults on the login host too, never on the admin host', async () => {
      await addFault({ kind: 'error', status: 502, host: 'login' });
      const res = await simFetch(`${sim.urls.login}/oauth/token`, {
        form: { grant_type: 'client_credentials' },
      });
      assert.equal(res.status, 502);
      assert.equal((await simFetch(users, { token })).status, 200);
      assert.equal((await admin('/health')).status, 200);
      assert.equal((await admin('/faults', { json: { kind: 'latency' } })).status, 400);
      assert.equal((await admin('/faults', { json: { kind: 'error', pathPattern: '(' } })).status, 400);
    });
  });

  it('keeps a request log with counts by method, path template and status', async () => {
    sim.state.setRateLimit(0);
    await simFetch(`${users}/abc`, { token });
    await simFetch(`${users}/def`, { token });
    await simFetch(users, { token });
    const counts = (await admin('/requests/counts')).body.counts;
    const get404 = counts.find(
      (c: any) => c.method === 'GET' && c.template === '/api/v2/scim/v2/users/{id}' && c.status === 404,
    );
    assert.equal(get404.count, 2);
    assert.equal(sim.state.requestLog.count({ template: '/oauth/token', status: 200 }), 1);
    const summary = await admin('/summary');
    assert.equal(summary.body.org.thirdPartyOrgName, 'demo-org');
    assert.equal((await admin('/requests', { method: 'DELETE' })).status, 200);
    assert.equal(sim.state.requestLog.total, 0);
  });

  it('seeds cloud users through the admin API, including inactive and already-linked ones', async () => {
    const res = await admin('/users', {
      json: [
        { userName: 'same@example.com', displayName: 'Same Email' },
        { userName: 'linked@example.com', displayName: 'Linked', externalId: 'cic-other' },
        { userName: 'off@example.com', displayName: 'Off', active: false },
      ],
    });
    assert.equal(res.status, 201);
    const all = await admin('/users');
    assert.equal(all.body.total, 3);
    assert.equal((await admin('/users?active=false')).body.total, 1);
    const one = await admin(`/users/${res.body.users[1].id}`);
    assert.equal(one.body.externalId, 'cic-other');
    assert.equal(
      (await admin('/users', { json: { userName: 'same@example.com', displayName: 'x' } })).status,
      409,
    );
    assert.equal((await admin('/reset', { method: 'POST' })).status, 200);
    assert.equal((await admin('/users')).body.total, 0);
  });
});
