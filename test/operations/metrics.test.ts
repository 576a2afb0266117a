import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { listUserStates } from '../../operations/directory';
import { createHealthHttpHandler } from '../../operations/health/http-routes';
import { createPairingContext } from '../../activities/pairing-context';
import { startHttpServer } from '../../workers/http-server';
import { createRedis } from '../../queues/connection';

/** `/metrics` is Prometheus text (checked line by line here) and its counters move with real traffic. */

let h: BridgeHarness;

before(async () => {
  h = await startBridge('metrics', { cic: { directory: { count: 8, seed: 3 } } });
  await h.pair();
  await eventually('the first sync pass', async () => (await listUserStates(h.db)).lastRun?.status === 'completed', 60_000);
});
after(async () => h?.stop());

type Sample = { name: string; labels: Record<string, string>; value: number };

/**
 * A strict reader of the text exposition format 0.0.4: HELP and TYPE before a family's samples, one TYPE per
 * family, label values quoted and escaped, values that are numbers, histogram buckets cumulative up to +Inf.
 */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\})? (-?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|[Nn]a[Nn]|\+Inf|-Inf))(?: -?\d+)?$/; // Prometheus reads NaN in any case (Go's ParseFloat); prom-client writes Nan
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      assert.ok(!types.has(type[1]), `one TYPE line for ${type[1]}`);
      types.set(type[1], type[2]);
      continue;
    }
    const m = sampleLine.exec(line);
    assert.ok(m, `a valid sample line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(m[1]) || types.has(family), `TYPE before ${m[1]}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: /nan/i.test(m[3]) ? NaN : Number(m[3].replace('+Inf', 'Infinity')) });
  }
  return { types, samples };
}

async function scrape() {
  const res = await fetch(`${h.bridgeUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

const value = (s: Sample[], name: string, labels: Record<string, string> = {}) =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);

test('/metrics parses as Prometheus text with the bridge families, and the counters move with traffic', async () => {
  const first = await scrape();
  for (const [name, type] of [
    ['bridge_far_side_requests_total', 'counter'],
    ['bridge_genesys_rate_limited_total', 'counter'],
    ['bridge_sync_pass_duration_seconds', 'histogram'],
    ['bridge_change_propagation_seconds', 'histogram'],
    ['bridge_users', 'gauge'],
    ['bridge_genesys_budget_used', 'gauge'],
  ]) assert.equal(first.types.get(name), type, name);
  const s1 = first.samples;
  assert.ok(value(s1, 'bridge_far_side_requests_total', { far_side: 'genesys', family: 'scim/users', status: '201' }) >= 1, 'the creates of the first pass');
  assert.ok(value(s1, 'bridge_far_side_requests_total', { far_side: 'cic', family: 'configuration/users' }) >= 1, 'the CIC directory read');
  assert.ok(value(s1, 'bridge_sync_pass_duration_seconds_count', { kind: 'full', status: 'completed' }) >= 1);
  const syncedBefore = value(s1, 'bridge_users', { state: 'synced' });
  assert.ok(syncedBefore >= 1);
  // No label carries an id or an email.
  for (const x of s1) for (const v of Object.values(x.labels)) assert.ok(!/@|[0-9a-f]{8}-[0-9a-f]{4}/i.test(v), `label value ${v}`);

  await h.cicAdmin('POST', '/__admin/users', { id: 'grace.hopper', personalInformationProperties: { emailAddress: 'grace.hopper@example.com' } });
  await eventually('the new user in the cloud', async () => (await h.cloudUsers()).find((u: any) => u.externalId === 'grace.hopper'), 20_000);

  const s2 = await eventually('the counters to move', async () => {
    const s = (await scrape()).samples;
    return value(s, 'bridge_change_propagation_seconds_count') > value(s1, 'bridge_change_propagation_seconds_count') ? s : undefined;
  });
  assert.ok(value(s2, 'bridge_far_side_requests_total', { far_side: 'genesys', family: 'scim/users', status: '201' }) > value(s1, 'bridge_far_side_requests_total', { far_side: 'genesys', family: 'scim/users', status: '201' }));
  assert.ok(value(s2, 'bridge_sync_pass_duration_seconds_count', { kind: 'delta' }) > value(s1, 'bridge_sync_pass_duration_seconds_count', { kind: 'delta' }));
  assert.equal(value(s2, 'bridge_users', { state: 'synced' }), syncedBefore + 1);
  const latency = value(s2, 'bridge_change_propagation_seconds_sum') - value(s1, 'bridge_change_propagation_seconds_sum');
  assert.ok(latency > 0 && latency < 20, `propagation latency ${latency} s`);
  const buckets = s2.filter((x) => x.name === 'bridge_change_propagation_seconds_bucket');
  assert.equal(buckets.at(-1)!.labels.le, '+Inf');
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
});

test('429s from Genesys are counted by /metrics and on the health JSON', async () => {
  const before = (await scrape()).samples;
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'rateLimit', retryAfterSeconds: 1, count: 1, pathPattern: '^/api/v2/scim/v2/users$', method: 'POST' });
  await h.cicAdmin('POST', '/__admin/users', { id: 'alan.turing', personalInformationProperties: { emailAddress: 'alan.turing@example.com' } });
  await eventually('the new user in the cloud', async () => (await h.cloudUsers()).find((u: any) => u.externalId === 'alan.turing'), 20_000);
  const after = (await scrape()).samples;
  assert.equal(value(after, 'bridge_genesys_rate_limited_total') - value(before, 'bridge_genesys_rate_limited_total'), 1);
  assert.equal(value(after, 'bridge_genesys_rate_limited_last_hour'), 1);
  const health: any = await (await fetch(`${h.bridgeUrl}/health.json`)).json();
  const genesys = health.rows.find((r: any) => r.name === 'Genesys API');
  assert.equal(genesys.facts.rateLimitedLastHour, 1);
  assert.equal(genesys.status, 'amber');
});

test('with an access token, /metrics and the health page answer only to it, and the page moves it to a cookie', async () => {
  const token = 'health-token-of-the-test-0123';
  const redis = createRedis(h.config.redisUrl, 'producer');
  const pairingContext = createPairingContext({ db: h.db, redis, secretKey: h.config.secretKey, budgetPrefix: `${h.config.queuePrefix}:budget` });
  const handler = createHealthHttpHandler({ db: h.db, temporal: h.temporal, redis, pairingContext, queuePrefix: h.config.queuePrefix, probeSeconds: 1, accessToken: token });
  const server = await startHttpServer({ port: 0 }, {}, [handler]);
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    for (const path of ['/metrics', '/health', '/health.json']) {
      const refused = await fetch(`${base}${path}`);
      assert.equal(refused.status, 401, path);
      assert.match(await refused.text(), /an access token is required/);
      assert.equal((await fetch(`${base}${path}`, { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    }
    const scraped = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /^bridge_far_side_requests_total\{/m);
    const opened = await fetch(`${base}/health?token=${token}&refresh=5`, { redirect: 'manual' });
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.get('location'), '/health?refresh=5', 'the token leaves the address');
    const cookie = opened.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly; SameSite=Strict/);
    const page = await fetch(`${base}/health?refresh=5`, { headers: { Cookie: cookie.split(';')[0] } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<meta http-equiv="refresh" content="5">/);
    assert.ok(!html.includes(token), 'the token is not on the page');
  } finally {
    await new Promise((r) => server.close(r));
    await pairingContext.close();
    redis.disconnect();
  }
});
