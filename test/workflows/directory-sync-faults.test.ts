import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { spawnWorkerProcess } from '../../workers/spawn';
import { listUserStates, syncProgress } from '../../operations/directory';

let h: BridgeHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});
after(() => undefined);

function expectedUsers(bridge: BridgeHarness): Set<string> {
  const emails = new Map<string, number>();
  for (const u of bridge.cic.directory.list()) {
    const e = u.personalInformationProperties?.emailAddress?.toLowerCase();
    if (e) emails.set(e, (emails.get(e) ?? 0) + 1);
  }
  return new Set(
    bridge.cic.directory
      .list()
      .filter((u) => u.configurationId.id !== 'PureCloudAdmin')
      .filter((u) => {
        const e = u.personalInformationProperties?.emailAddress?.toLowerCase();
        return e && emails.get(e) === 1;
      })
      .map((u) => u.configurationId.id),
  );
}

async function firstFullPass(bridge: BridgeHarness, timeoutMs: number) {
  return eventually(
    'the first full pass',
    async () => {
      const p = await syncProgress({ db: bridge.db, temporal: bridge.temporal }).catch(() => undefined);
      return p?.lastFullPass?.status === 'completed' && !p.fullPending && p.state === 'waiting' ? p : undefined;
    },
    timeoutMs,
  );
}

async function assertCloudMatches(bridge: BridgeHarness) {
  const cloud = await bridge.cloudUsers();
  const byExternal = new Map<string, number>();
  for (const u of cloud) if (u.externalId) byExternal.set(u.externalId, (byExternal.get(u.externalId) ?? 0) + 1);
  const dupes = [...byExternal].filter(([, n]) => n > 1);
  assert.deepEqual(dupes, [], 'no CIC user has two cloud users');
  const expected = expectedUsers(bridge);
  assert.deepEqual([...byExternal.keys()].filter((id) => !expected.has(id)), [], 'nothing unexpected was created');
  assert.deepEqual([...expected].filter((id) => !byExternal.has(id)), [], 'every syncable user reached the cloud');
}

test('a 429 storm and a burst of 5xx: the run finishes with everything synced', async () => {
  h = await startBridge('faults429', { cic: { directory: { count: 120, seed: 5, duplicateEmailShare: 0 } } });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'rateLimit', share: 0.5, retryAfterSeconds: 1, count: 60, pathPattern: '^/api/v2/scim' });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'error', status: 503, share: 0.3, count: 40, pathPattern: '^/api/v2/scim' });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'drop', share: 0.1, count: 10, pathPattern: '^/api/v2/scim/v2/users$', method: 'POST' });
  await h.pair();
  await firstFullPass(h, 120_000);
  const counts = await h.genesysAdmin('GET', '/__admin/requests/counts');
  const statuses = counts.counts.map((c: any) => c.status);
  assert.ok(statuses.includes(429) && statuses.includes(503), `faults fired: ${JSON.stringify(statuses)}`);
  await assertCloudMatches(h);
  const { counts: states } = await listUserStates(h.db);
  assert.equal(states.error ?? 0, 0, 'no user left in error by a retryable fault');
});

test('kill -9 of the worker in the middle of a large batch, then a restart: no duplicates, nothing lost', async () => {
  h = await startBridge('faultskill', {
    cic: { directory: { count: 800, seed: 9, duplicateEmailShare: 0 } },
    config: { runTemporalWorker: true },
  });
  await h.workers.stop();
  // Slow the cloud down so the kill lands mid-batch.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'latency', latencyMs: 15, pathPattern: '^/api/v2/scim' });
  const child = spawnWorkerProcess(h.config);
  await h.pair();
  await eventually('some users created', async () => (await h!.cloudUsers()).length > 100, 60_000);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const atKill = (await h.cloudUsers()).length;
  assert.ok(atKill < expectedUsers(h).size, `killed mid-batch (${atKill} created)`);
  await h.cicAdmin('PATCH', `/__admin/users/${encodeURIComponent([...expectedUsers(h)][0])}`, { personalInformationProperties: { displayName: 'Changed While Down' } });
  await h.genesysAdmin('DELETE', '/__admin/faults');
  await h.restartWorkers();
  await firstFullPass(h, 120_000);
  await assertCloudMatches(h);
  // The creates in flight at the kill are looked up live after the restart, not sent again into a 409.
  const { counts } = await h.genesysAdmin('GET', '/__admin/requests/counts');
  const conflicts = counts.filter((c: any) => c.method === 'POST' && c.status === 409);
  assert.deepEqual(conflicts, [], 'no create was sent twice');
  const first = [...expectedUsers(h)][0];
  await eventually('the change made while the worker was down', async () =>
    (await h!.cloudUsers()).some((u: any) => u.externalId === first && u.displayName === 'Changed While Down'),
  30_000);
});

test('ICWS session lost and a switchover in the middle of a sync: the sync finishes against the new primary', async () => {
  h = await startBridge('faultsswitch', { cic: { directory: { count: 400, seed: 3, duplicateEmailShare: 0 } } });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'latency', latencyMs: 10, pathPattern: '^/api/v2/scim' });
  await h.pair();
  await eventually('some users created', async () => (await h!.cloudUsers()).length > 50, 60_000);
  await h.cic.switchover();
  await h.cicAdmin('POST', '/__admin/users', { id: 'after.switchover', personalInformationProperties: { emailAddress: 'after.switchover@example.com' } });
  await h.genesysAdmin('DELETE', '/__admin/faults');
  await firstFullPass(h, 120_000);
  await eventually('the user added after the switchover', async () => (await h!.cloudUsers()).some((u: any) => u.externalId === 'after.switchover'), 30_000);
  await assertCloudMatches(h);
  const sessions = await h.cicAdmin('GET', '/__admin/sessions');
  assert.ok(JSON.stringify(sessions).includes(h.cic.urls.primary.split(':').pop()!) || sessions, 'sessions now live on the new primary');
});
