import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/bridge-harness';
import { startTimeSkippingBridge, type TimeSkippingBridge } from '../support/time-skipping';
import { directorySyncWorkflow } from '../../workflows';
import { directorySyncWorkflowId } from '../../workflows/directory-sync-api';

let h: TimeSkippingBridge | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

async function passesDone(b: TimeSkippingBridge, passes: number) {
  return eventually(`${passes} passes`, async () => {
    const p = await b.progress();
    return p.state === 'waiting' && p.passes >= passes ? p : undefined;
  });
}

/** A CIC change every ten (skipped) minutes, each delivered as the watch would, each served by a delta. */
async function busyMinutes(b: TimeSkippingBridge, minutes: number) {
  const users = b.cic.directory.list().filter((u) => u.configurationId.id !== 'PureCloudAdmin');
  for (let i = 0; i < minutes / 10; i++) {
    const id = users[i % users.length].configurationId.id;
    b.cic.directory.change(id, { personalInformationProperties: { displayName: `Busy ${i}` } });
    const before = (await b.progress()).passes;
    await b.usersChanged([id]);
    await passesDone(b, before + 1);
    await b.env.sleep(10 * MINUTE_MS);
  }
}

test('a directory that changes every ten minutes is still reconciled an hour after the last full pass began', async () => {
  h = await startTimeSkippingBridge('busyrecon', { cic: { directory: { count: 12, seed: 5 } } });
  await h.pair({ options: { reconcileIntervalSeconds: 3600 } });
  const first = (await passesDone(h, 1)).lastFullPass!;
  await busyMinutes(h, 70);
  const p = await h.progress();
  assert.notEqual(p.lastFullPass!.runId, first.runId, 'a reconciliation pass ran in the busy hour');
  const gap = Date.parse(p.lastFullPass!.startedAt) - Date.parse(first.startedAt);
  assert.ok(gap >= HOUR_MS && gap < HOUR_MS + 1000, `the reconciliation began ${gap} ms after the last full pass, not one hour`);
});

test('continue-as-new carries the time of the last full pass: the reconciliation does not start its hour again', async () => {
  h = await startTimeSkippingBridge('carrytimer', { cic: { directory: { count: 12, seed: 6 } } });
  await h.pair({ options: { reconcileIntervalSeconds: 3600 } });
  await passesDone(h, 1);
  // The same workflow, continuing as new after every three passes.
  await h.sync().terminate('restart with a short run');
  const start = await h.env.client.workflow.start(directorySyncWorkflow, {
    workflowId: directorySyncWorkflowId('demo-org'),
    taskQueue: h.config.taskQueue,
    args: [{ orgShortName: 'demo-org', reconcileIntervalSeconds: 3600, startWithFull: true, maxPassesPerRun: 3 }],
    searchAttributes: { BridgeOrg: ['demo-org'], BridgeKind: ['directory-sync'] },
  });
  const first = (await passesDone(h, 1)).lastFullPass!;
  await busyMinutes(h, 30);
  const described = await h.sync().describe();
  assert.notEqual(described.runId, start.firstExecutionRunId, 'the run continued as new');
  const carried = await h.progress();
  assert.equal(carried.lastFullPass?.runId, first.runId, 'the last full pass is carried over');
  await h.env.sleep(31 * MINUTE_MS);
  const p = await eventually('the reconciliation pass', async () => {
    const q = await h!.progress();
    return q.state === 'waiting' && q.lastFullPass!.runId !== first.runId ? q : undefined;
  });
  const gap = Date.parse(p.lastFullPass!.startedAt) - Date.parse(first.startedAt);
  assert.ok(gap >= HOUR_MS && gap < HOUR_MS + 1000, `the reconciliation began ${gap} ms after the last full pass, not one hour`);
});
