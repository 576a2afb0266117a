import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/bridge-harness';
import { startTimeSkippingBridge, type TimeSkippingBridge } from '../support/time-skipping';
import { latestRun } from '../../db/sync-runs';

let h: TimeSkippingBridge;

before(async () => {
  h = await startTimeSkippingBridge('synctime', { cic: { directory: { count: 12, seed: 5 } } });
});
after(async () => h?.stop());

const HOUR_MS = 3600_000;

test('a quiet hour (skipped, not waited) brings a reconciliation full pass, not a minute earlier', async () => {
  const realStart = Date.now();
  await h.pair({ options: { reconcileIntervalSeconds: 3600 } });
  const first = await eventually('the initial full pass', async () => {
    const p = await h.progress();
    return p.state === 'waiting' && p.lastFullPass ? p.lastFullPass : undefined;
  });
  assert.equal(first.status, 'completed');
  assert.deepEqual(h.standInCalls, [{ activity: 'watchCicDirectory', input: { orgShortName: 'demo-org' } }]);

  await h.env.sleep(HOUR_MS - 60_000);
  assert.equal((await h.progress()).passes, 1, 'no pass before the interval is up');

  await h.env.sleep(60_000);
  const second = await eventually('the reconciliation pass', async () => {
    const p = await h.progress();
    return p.state === 'waiting' && p.passes === 2 ? p.lastFullPass : undefined;
  });
  assert.notEqual(second!.runId, first.runId);
  assert.equal(second!.status, 'completed');
  assert.equal(second!.read, h.cic.directory.list().length, 'real activities read the whole CIC directory again');
  const gap = Date.parse(second!.startedAt) - Date.parse(first.startedAt);
  assert.ok(gap >= HOUR_MS && gap < HOUR_MS + 1000, `the pass started ${gap} ms after the last one began, not one hour`);
  assert.equal((await latestRun(h.deps.db))?.kind, 'full');
  assert.ok(Date.now() - realStart < 60_000, 'the hour was skipped');
});

test('a change signal runs a delta pass at once; unpair then ends the sync as cancelled', async () => {
  const before = await h.progress();
  const user: any = h.cic.directory.list().find((u: any) => u.configurationId.id !== 'PureCloudAdmin');
  await h.cicAdmin('PATCH', `/__admin/users/${encodeURIComponent(user.configurationId.id)}`, {
    personalInformationProperties: { mobileNumber: '+1 317 555 0142' },
  });
  const skippedBefore = await h.env.currentTimeMs();
  await h.usersChanged([user.configurationId.id]);
  const delta = await eventually('the delta pass', async () => {
    const p = await h.progress();
    return p.state === 'waiting' && p.passes === before.passes + 1 ? p.lastPass : undefined;
  });
  assert.equal(delta!.kind, 'delta');
  assert.deepEqual(delta!.counts, { update: 1 });
  assert.ok((await h.env.currentTimeMs()) - skippedBefore < 60_000, 'no timer was waited for');

  assert.equal((await h.unpair())?.orgShortName, 'demo-org');
  await assert.rejects(h.sync().result(), (err: any) => err?.cause?.name === 'CancelledFailure');
});
