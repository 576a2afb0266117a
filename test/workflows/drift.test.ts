import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { requestBackfill, syncProgress } from '../../operations/directory';
import { driftReport } from '../../operations/drift';

/**
 * A cloud-side edit to a synced attribute (the seed allows them) is found by the next full pass, recorded on
 * the user, shown by `bridge drift` and `bridge user <id>`, and left in place: the bridge writes an attribute
 * only when it changes in CIC.
 */

let h: BridgeHarness;
const run = promisify(execFile);

before(async () => {
  h = await startBridge('drift', { cic: { directory: { count: 6, seed: 5, noEmailShare: 0, duplicateEmailShare: 0, oddPhoneShare: 0 } } });
  await h.pair();
  await fullPassAfter(undefined);
});
after(async () => h?.stop());

async function fullPassAfter(runId: string | undefined) {
  return eventually(
    'a completed full pass',
    async () => {
      const p = await syncProgress(h).catch(() => undefined);
      return p?.lastFullPass && p.lastFullPass.runId !== runId && p.state === 'waiting' && !p.fullPending ? p : undefined;
    },
    60_000,
  );
}

/** An administrator's edit in Genesys Cloud, through the SCIM API with the org's own OAuth client. */
async function editInCloud(genesysId: string, displayName: string) {
  const tokenRes = await fetch(`${h.genesys.urls.login}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${h.genesys.urls.api}/api/v2/scim/v2/users/${genesysId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: displayName }] }),
  });
  assert.equal(res.status, 200, await res.text());
}

const bridgeCli = (...args: string[]) =>
  run('node', ['--import', 'tsx', 'cli/bridge.ts', ...args], {
    env: { ...process.env, DATABASE_SCHEMA: h.config.databaseSchema, TEMPORAL_TASK_QUEUE: h.config.taskQueue, BRIDGE_QUEUE_PREFIX: h.config.queuePrefix, LOG_LEVEL: 'warn' },
  });

test('a cloud-side edit shows as drift after a full pass, and is not overwritten', async () => {
  const cloudBefore = (await h.cloudUsers()).find((u: any) => u.externalId && u.externalId !== 'PureCloudAdmin');
  assert.ok(cloudBefore, 'a synced user in the cloud');
  const cicId: string = cloudBefore.externalId;
  const sentName: string = cloudBefore.displayName;
  assert.deepEqual((await driftReport(h.db)).users, [], 'no drift before any cloud edit');

  await editInCloud(cloudBefore.id, 'Edited In Genesys');
  const last = (await syncProgress(h)).lastFullPass?.runId;
  await requestBackfill({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { requestedBy: 'drift test' });
  const pass = await fullPassAfter(last);

  const report = await driftReport(h.db);
  assert.equal(report.users.length, 1, JSON.stringify(report));
  assert.equal(report.users[0].cicId, cicId);
  assert.equal(report.users[0].genesysId, cloudBefore.id);
  assert.deepEqual(report.users[0].attributes, [{ attribute: 'displayName', before: sentName, after: 'Edited In Genesys' }]);
  assert.equal(pass.lastFullPass!.counts.update ?? 0, 0, 'the full pass wrote nothing back');
  const cloudAfter = (await h.cloudUsers()).find((u: any) => u.id === cloudBefore.id);
  assert.equal(cloudAfter.displayName, 'Edited In Genesys', 'the cloud edit stands');

  const drift = await bridgeCli('drift');
  assert.match(drift.stdout, /1 user edited in Genesys Cloud/);
  assert.ok(drift.stdout.includes(`displayName: the bridge sent "${sentName}", Genesys Cloud has "Edited In Genesys"`), drift.stdout);
  const user = await bridgeCli('user', cicId);
  assert.ok(user.stdout.includes('Drift (edited in Genesys Cloud, left in place): displayName'), user.stdout);

  // The edit undone in the cloud: the next full pass finds no drift and drops the record.
  await editInCloud(cloudBefore.id, sentName);
  await requestBackfill({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { requestedBy: 'drift test' });
  await fullPassAfter(pass.lastFullPass!.runId);
  assert.deepEqual((await driftReport(h.db)).users, []);
});
