import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { listUserStates, requestBackfill, syncProgress, userDetail } from '../../operations/directory';
import { directorySyncWorkflowId, usersChangedSignal } from '../../workflows/directory-sync-api';
import { DELTA_LIMIT } from '../../workflows/directory-sync';
import { decodePayloadsIn, payloadCodecFor } from '../../lib/payload-codec';

let h: BridgeHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const progress = (b: BridgeHarness) => syncProgress({ db: b.db, temporal: b.temporal });

/** Waits for a full pass after `afterRunId` to complete with nothing pending. */
async function fullPassAfter(b: BridgeHarness, afterRunId: string | undefined, timeoutMs: number) {
  return eventually(
    'a completed full pass',
    async () => {
      const p = await progress(b).catch(() => undefined);
      const done = p?.lastFullPass && p.lastFullPass.runId !== afterRunId && p.state === 'waiting' && !p.fullPending;
      return done ? p : undefined;
    },
    timeoutMs,
  );
}

async function cloudUserOf(b: BridgeHarness, cicId: string) {
  return (await b.cloudUsers()).find((u: any) => u.externalId === cicId);
}

async function requestCounts(b: BridgeHarness): Promise<{ method: string; template: string; status: number; count: number }[]> {
  return (await b.genesysAdmin('GET', '/__admin/requests/counts')).counts;
}

test('one poisoned user fails alone: recorded as Error with the reason, the pass completes, the others sync', async () => {
  h = await startBridge('poisoned', { cic: { directory: { count: 30, seed: 11, duplicateEmailShare: 0 } } });
  await h.pair();
  const first = await fullPassAfter(h, undefined, 60_000);
  const synced = (await listUserStates(h.db, 'synced')).users.map((u) => u.cicId);
  const [poisoned, healthy] = synced;
  const poisonedCloud = await cloudUserOf(h, poisoned);
  // Every PATCH of that one user answers 500, for as long as the test runs.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'error', status: 500, method: 'PATCH', pathPattern: `/users/${poisonedCloud.id}$` });
  h.cic.directory.change(poisoned, { personalInformationProperties: { displayName: 'Poisoned Change' } });
  h.cic.directory.change(healthy, { personalInformationProperties: { displayName: 'Healthy Change' } });

  await eventually('the healthy user to arrive', async () => (await cloudUserOf(h!, healthy))?.displayName === 'Healthy Change', 60_000);
  const detail = await eventually('the poisoned user to be in error', async () => {
    const d = await userDetail(h!.db, poisoned);
    return d.link?.state === 'error' ? d : undefined;
  }, 90_000);
  assert.match(detail.link!.reason ?? '', /update failed .*500.*tried again on a later pass/);
  const afterDelta = await eventually('the delta pass to end', async () => {
    const p = await progress(h!);
    return p.state === 'waiting' && p.lastPass?.kind === 'delta' && p.lastPass.status === 'completed' ? p : undefined;
  }, 30_000);
  assert.equal(afterDelta.lastPass!.counts['update:failed'], 1, `counts: ${JSON.stringify(afterDelta.lastPass!.counts)}`);

  // A full pass leaves it alone during its backoff and completes for everyone else.
  const patchesBefore = (await requestCounts(h)).filter((c) => c.method === 'PATCH' && c.status === 500).reduce((n, c) => n + c.count, 0);
  await requestBackfill({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { requestedBy: 'test' });
  const full = await fullPassAfter(h, first.lastFullPass!.runId, 60_000);
  assert.equal(full.lastFullPass!.status, 'completed');
  assert.equal(full.lastFullPass!.counts['retry-later'], 1);
  const patchesAfter = (await requestCounts(h)).filter((c) => c.method === 'PATCH' && c.status === 500).reduce((n, c) => n + c.count, 0);
  assert.equal(patchesAfter, patchesBefore, 'the poisoned user is not tried during its backoff');

  // Its next CIC change tries at once, and once the far side mends it syncs.
  await h.genesysAdmin('DELETE', '/__admin/faults');
  h.cic.directory.change(poisoned, { personalInformationProperties: { displayName: 'Poisoned Mended' } });
  await eventually('the mended user to arrive', async () => (await cloudUserOf(h!, poisoned))?.displayName === 'Poisoned Mended', 30_000);
  const mended = await userDetail(h.db, poisoned);
  assert.equal(mended.link?.state, 'synced');
  assert.equal(mended.link?.failures, 0);
});

test('a 429 with Retry-After 60 s in the middle of an apply: the pass waits it out, completes, and sends no create twice', async () => {
  h = await startBridge('retry60', { cic: { directory: { count: 400, seed: 21, duplicateEmailShare: 0 } } });
  // Slow creates down so the 429 lands with most of the apply still to do.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'latency', latencyMs: 40, method: 'POST', pathPattern: '^/api/v2/scim/v2/users$' });
  await h.pair();
  await eventually('some users created', async () => (await h!.cloudUsers()).length > 40, 60_000);
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'rateLimit', retryAfterSeconds: 60, count: 1, method: 'POST', pathPattern: '^/api/v2/scim/v2/users$' });
  const paused = Date.now();
  const done = await fullPassAfter(h, undefined, 180_000);
  assert.ok(Date.now() - paused >= 55_000, 'the pass waited for the Retry-After');
  assert.equal(done.lastFullPass!.status, 'completed');

  const counts = await requestCounts(h);
  const posts = counts.filter((c) => c.method === 'POST' && c.template.endsWith('/users'));
  const created = posts.filter((c) => c.status === 201).reduce((n, c) => n + c.count, 0);
  assert.equal(posts.filter((c) => c.status === 409).length, 0, 'no create met its own earlier copy');
  assert.equal(posts.filter((c) => c.status === 429).reduce((n, c) => n + c.count, 0), 1);
  const cloud = await h.cloudUsers();
  assert.equal(created, cloud.length, 'one successful POST per cloud user');
  const { counts: states } = await listUserStates(h.db);
  assert.equal(states.error ?? 0, 0);
  // A retried activity shows only its last attempt in history, with that attempt's number.
  const history = await h.temporal.workflow.getHandle(directorySyncWorkflowId('demo-org')).fetchHistory();
  const retried = history.events!.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
  assert.equal(retried.length, 0, 'no activity attempt timed out or failed during the pause');
});

test('a purge whose DELETE was applied but never answered is done, not refused', async () => {
  h = await startBridge('delete404', { cic: { directory: { count: 20, seed: 13, duplicateEmailShare: 0 } } });
  await h.pair();
  const first = await fullPassAfter(h, undefined, 60_000);
  const [gone] = (await listUserStates(h.db, 'synced')).users.map((u) => u.cicId);
  const cloudId = (await cloudUserOf(h, gone)).id;
  await h.workers.stop();
  h.cic.directory.remove(gone);
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'dropAfterApply', count: 1, method: 'DELETE' });
  await h.restartWorkers();
  await requestBackfill({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { purge: true, requestedBy: 'test' });
  const done = await fullPassAfter(h, first.lastFullPass!.runId, 60_000);
  assert.equal(done.lastFullPass!.counts.delete, 1, JSON.stringify(done.lastFullPass!.counts));
  assert.equal(done.lastFullPass!.counts['delete:failed'] ?? 0, 0);
  assert.equal((await h.cloudUsers()).some((u: any) => u.id === cloudId), false);
  assert.equal((await userDetail(h.db, gone)).link, undefined, 'the link is gone with the user');
  const deletes = (await requestCounts(h)).filter((c) => c.method === 'DELETE');
  assert.ok(deletes.some((c) => c.status === 404), `the retried DELETE met 404: ${JSON.stringify(deletes)}`);
});

test(`more than ${DELTA_LIMIT} changed users become one full pass, not a delta with every id`, async () => {
  h = await startBridge('bounded', { cic: { directory: { count: 20, seed: 17 } } });
  await h.pair();
  const first = await fullPassAfter(h, undefined, 60_000);
  const ids = Array.from({ length: DELTA_LIMIT + 500 }, (_, i) => `no.such.user.${i}`);
  const handle = h.temporal.workflow.getHandle(directorySyncWorkflowId('demo-org'));
  await handle.signal(usersChangedSignal, { userIds: ids });
  const done = await fullPassAfter(h, first.lastFullPass!.runId, 60_000);
  assert.equal(done.pendingUserIds, 0);
  assert.equal(done.lastPass!.kind, 'full');
  // Decrypted (payloads are encrypted by the codec), or the ids could never be seen and this would pass regardless.
  const history = await decodePayloadsIn(await handle.fetchHistory(), payloadCodecFor(h.config)!);
  const decoder = new TextDecoder();
  const withIds = history.events!.filter((e) =>
    (e.activityTaskScheduledEventAttributes?.input?.payloads ?? []).some((p) => decoder.decode(p.data ?? new Uint8Array()).includes('no.such.user.')),
  );
  assert.equal(withIds.length, 0, 'no activity was scheduled with the ids');
});
