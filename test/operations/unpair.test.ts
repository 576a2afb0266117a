import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { captureLogs } from '../support/secret-scan';
import { noPairingState, pairingStateCounts } from '../support/pairing-state';
import { PairingError, unpair } from '../../operations/pairing';
import { getPairing } from '../../db/pairing';
import { syncProgress } from '../../operations/directory';
import { openProducer, queueNames } from '../../queues/connection';
import type { CicEventJob } from '../../queues/cic-events';
import { directorySyncWorkflow } from '../../workflows';
import { directorySyncWorkflowId, usersChangedSignal } from '../../workflows/directory-sync-api';

// Through the real workers: the Temporal worker, the cic-events queue worker and the dev server.
let h: BridgeHarness;
before(async () => {
  // info: the queue worker's log line for a dropped change is part of what is tested.
  h = await startBridge('unpair', { cic: { directory: { count: 60, seed: 13 } }, config: { logLevel: 'info' } });
});
after(async () => h?.stop());

const SYNC = directorySyncWorkflowId('demo-org');
const status = async (id: string) => (await h.temporal.workflow.getHandle(id).describe()).status.name;

test('unpair during a long apply waits for the workflows to end and leaves no rows behind', async () => {
  // Each create takes 2 s, so the first chunk is mid-apply (its creates in flight) when unpair comes.
  const { id: faultId } = await h.genesysAdmin('POST', '/__admin/faults', {
    kind: 'latency',
    latencyMs: 2000,
    method: 'POST',
    pathPattern: '^/api/v2/scim/v2/users$',
  });
  await h.pair();
  await eventually('creates in flight', async () => {
    const { faults } = await h.genesysAdmin('GET', '/__admin/faults');
    return faults.find((f: any) => f.id === faultId)?.fired > 0;
  });
  assert.equal((await syncProgress(h)).current?.phase, 'applying');

  const result = await unpair(h);
  assert.equal(result?.orgShortName, 'demo-org');
  const statuses = await Promise.all(['cic-watch/demo-org', SYNC, 'account-linking/demo-org'].map(async (id) => `${id}: ${await status(id)}`));
  assert.deepEqual(await pairingStateCounts(h.db), noPairingState, 'unpair left no state');

  // The creates in flight have answered by now: nothing the chunk did with them may land after unpair.
  await sleep(4000);
  assert.deepEqual(await pairingStateCounts(h.db), noPairingState, 'no user_links, runs or changes were written after unpair');
  assert.ok(!statuses.some((s) => s.endsWith('RUNNING')), `every workflow had ended when unpair returned: ${statuses.join(', ')}`);
  assert.ok((await h.cloudUsers()).length > 0, 'the interrupted chunk did create cloud users');
  await h.genesysAdmin('DELETE', `/__admin/faults/${faultId}`);
});

test('a change queued after unpair is dropped with a log line and does not restart the sync', async () => {
  const closedRun = (await h.temporal.workflow.getHandle(SYNC).describe()).runId;
  const logs = captureLogs();
  const redis = await openProducer(h.config.redisUrl);
  const queue = new Queue<CicEventJob>(queueNames.cicEvents, { connection: redis, prefix: h.config.queuePrefix });
  try {
    // What the watch's last batch, flushed as it stopped, looks like.
    const job = await queue.add('users-changed', { kind: 'users-changed', org: 'demo-org', userIds: [h.cic.directory.list()[1].configurationId.id] });
    const done = await eventually('the job to be processed', async () => {
      const j = await queue.getJob(job.id!);
      return (await j?.getState()) === 'completed' ? j : undefined;
    });
    assert.match(String(done!.returnvalue?.skipped), /not paired/);
    assert.match(logs.text(), /CIC change dropped: no pairing with this organization/);
    const d = await h.temporal.workflow.getHandle(SYNC).describe();
    assert.equal(d.runId, closedRun, 'no new sync run was started');
    assert.notEqual(d.status.name, 'RUNNING');
  } finally {
    logs.stop();
    await queue.close();
    redis.disconnect();
  }
});

test('a sync restarted after unpair (a change read the pairing just before it) ends by itself and writes nothing', async () => {
  await h.temporal.workflow.signalWithStart(directorySyncWorkflow, {
    workflowId: SYNC,
    taskQueue: h.config.taskQueue,
    args: [{ orgShortName: 'demo-org', reconcileIntervalSeconds: 3600 }],
    searchAttributes: { BridgeOrg: ['demo-org'], BridgeKind: ['directory-sync'] },
    signal: usersChangedSignal,
    signalArgs: [{ userIds: [h.cic.directory.list()[1].configurationId.id] }],
  });
  const ended = await eventually('the restarted sync to end', async () => {
    const s = await status(SYNC);
    return s !== 'RUNNING' ? s : undefined;
  });
  assert.equal(ended, 'COMPLETED');
  assert.deepEqual(await pairingStateCounts(h.db), noPairingState);
});

test('unpair that cannot see the workflows end in time deletes nothing, says which, and finishes when run again', async () => {
  await h.pair();
  await eventually('the first sync', async () => (await syncProgress(h)).lastFullPass?.status === 'completed', 60_000);
  const paired = await pairingStateCounts(h.db);
  assert.ok(paired.user_links > 0);
  // No worker: the cancelled workflows cannot run their cancellation, so they stay running.
  await h.workers.stop();
  await assert.rejects(
    unpair(h, { timeoutMs: 3000 }),
    (err: unknown) =>
      err instanceof PairingError &&
      /unpair: .*directory-sync\/demo-org.* did not end within 3 s of being cancelled.*nothing was deleted.*run `bridge unpair` again/.test(err.message),
  );
  const kept = await pairingStateCounts(h.db);
  assert.equal(kept.user_links, paired.user_links, 'the state is kept');
  assert.equal(await getPairing(h.db), undefined, 'the pairing counts as gone meanwhile');
  assert.ok((await getPairing(h.db, { includeUnpairing: true }))?.unpairingSince, 'it is marked as being unpaired');
  await assert.rejects(h.pair(), (err: unknown) => err instanceof PairingError && /unpair of 'demo-org' did not finish/.test(err.message));

  await h.restartWorkers();
  assert.equal((await unpair(h))?.orgShortName, 'demo-org');
  assert.deepEqual(await pairingStateCounts(h.db), noPairingState);
  for (const id of ['cic-watch/demo-org', SYNC, 'account-linking/demo-org']) assert.notEqual(await status(id), 'RUNNING', id);
});
