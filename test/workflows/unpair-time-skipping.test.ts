import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/bridge-harness';
import { startTimeSkippingBridge, type TimeSkippingBridge } from '../support/time-skipping';
import { noPairingState, pairingStateCounts } from '../support/pairing-state';
import { directorySyncWorkflow } from '../../workflows';
import { usersChangedSignal } from '../../workflows/directory-sync-api';

let h: TimeSkippingBridge;

before(async () => {
  h = await startTimeSkippingBridge('unpairts', { cic: { directory: { count: 40, seed: 11 } } });
});
after(async () => h?.stop());

/** `p`, or a rejection after `ms` of real time (a workflow that loops under time skipping never ends). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what} did not happen within ${ms} ms`)))]);
}

test('unpair during a pass waits for the running apply, the sync ends, and no link is written after unpair', async () => {
  // Every create takes 1.5 s: the first apply chunk has them all in flight when unpair comes.
  const { id: faultId } = await h.genesysAdmin('POST', '/__admin/faults', {
    kind: 'latency',
    latencyMs: 1500,
    method: 'POST',
    pathPattern: '^/api/v2/scim/v2/users$',
  });
  await h.pair({ options: { reconcileIntervalSeconds: 3600 } });
  await eventually('creates in flight', async () => {
    const { faults } = await h.genesysAdmin('GET', '/__admin/faults');
    return faults.find((f: any) => f.id === faultId)?.fired > 0;
  });
  assert.equal((await h.progress()).current?.phase, 'applying', 'unpair comes during the apply phase of the first pass');

  assert.equal((await h.unpair())?.orgShortName, 'demo-org');
  const ended = (await h.sync().describe()).status.name;
  assert.deepEqual(await pairingStateCounts(h.deps.db), noPairingState, 'unpair left no state');

  // The creates that were in flight have long answered now; whatever the chunk made of them was written
  // before the sync ended, so before unpair deleted the state, and nothing came after.
  await sleep(3000);
  assert.deepEqual(await pairingStateCounts(h.deps.db), noPairingState, 'no link or run was written after unpair');
  assert.equal(ended, 'CANCELLED', 'the sync had ended, as cancelled, when unpair returned');
  const created = (await h.genesysAdmin('GET', '/__admin/users')).users.length;
  assert.ok(created > 0, 'the interrupted chunk did create cloud users (so it was writing when unpair began)');
  await h.genesysAdmin('DELETE', `/__admin/faults/${faultId}`);
});

test('a sync started after unpair (by a change queued before it) finds no pairing and ends by itself, writing nothing', async () => {
  // What a cic-events worker that read the pairing just before unpair would do.
  await h.env.client.workflow.signalWithStart(directorySyncWorkflow, {
    workflowId: h.sync().workflowId,
    taskQueue: h.config.taskQueue,
    args: [{ orgShortName: 'demo-org', reconcileIntervalSeconds: 3600 }],
    searchAttributes: { BridgeOrg: ['demo-org'], BridgeKind: ['directory-sync'] },
    signal: usersChangedSignal,
    signalArgs: [{ userIds: [h.cic.directory.list()[1].configurationId.id] }],
  });
  // Under time skipping a sync that retried every 30 seconds would spin through its passes for ever.
  await within(h.sync().result(), 20_000, 'the restarted sync ending');
  assert.equal((await h.sync().describe()).status.name, 'COMPLETED');
  assert.deepEqual(await pairingStateCounts(h.deps.db), noPairingState, 'the restarted sync wrote nothing');
});
