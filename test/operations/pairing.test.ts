import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { PairingError, unpair } from '../../operations/pairing';
import { getPairing } from '../../db/pairing';
import { listUserStates } from '../../operations/directory';

let h: BridgeHarness;
before(async () => {
  h = await startBridge('pairing', { cic: { directory: { count: 10, seed: 3 } } });
});
after(async () => h?.stop());

const refused = (pattern: RegExp) => (err: unknown) => err instanceof PairingError && pattern.test(err.message);

test('bad input is refused with a reason before anything is stored', async () => {
  await assert.rejects(h.pair({ orgShortName: 'acme_corp' }), refused(/short name|letters, digits/i));
  await assert.rejects(h.pair({ orgShortName: 'demo-org', apiUrl: undefined, loginUrl: undefined, region: 'mars-1' }), refused(/Unknown Genesys Cloud region 'mars-1'/));
  await assert.rejects(h.pair({ cicPassword: 'wrong' }), refused(/cannot sign in to CIC as PureCloudAdmin/));
  await assert.rejects(h.pair({ clientSecret: 'wrong' }), refused(/OAuth client demo-client cannot reach Genesys Cloud/));
  await assert.rejects(h.pair({ orgShortName: 'other-org' }), refused(/belongs to organization 'demo-org'/));
  await assert.rejects(h.pair({ cicUserId: 'someone.else' }), refused(/connects to CIC as 'PureCloudAdmin'/));
  assert.equal(await getPairing(h.db), undefined);
});

test('a pairing stores secrets sealed, never in clear, nor in workflow history; a second, different pairing is refused', async () => {
  await h.pair();
  await eventually('the first sync', async () => (await listUserStates(h.db)).lastRun?.status === 'completed');
  const row = await sql<Record<string, unknown>>`SELECT * FROM pairing`.execute(h.db);
  const stored = JSON.stringify(row.rows);
  assert.ok(!stored.includes('demo-secret') && !stored.includes('admin-pass'), 'no secret in clear in the database');
  assert.match(String(row.rows[0].client_secret_enc), /^v1:/);
  for (const id of ['directory-sync/demo-org', 'cic-watch/demo-org']) {
    const history = JSON.stringify(await h.temporal.workflow.getHandle(id).fetchHistory());
    assert.ok(!history.includes('demo-secret') && !history.includes('admin-pass'), `no secret in ${id}'s history`);
  }
  await assert.rejects(
    h.pair({ apiUrl: 'http://127.0.0.1:1', loginUrl: 'http://127.0.0.1:2' }),
    refused(/already paired with organization 'demo-org'.*refused/),
  );
  const again = await h.pair();
  assert.equal(again.repaired, true, 'confirming the same pairing is fine');
});

test('unpair stops the sync, forgets its state and leaves the cloud users as they are', async () => {
  const before = (await h.cloudUsers()).length;
  const result = await unpair(h);
  assert.equal(result?.orgShortName, 'demo-org');
  assert.equal(result?.cloudUsersLeft, before);
  assert.equal(await getPairing(h.db), undefined);
  assert.equal((await h.cloudUsers()).filter((u: any) => u.active).length, before, 'nothing deactivated in the cloud');
  for (const id of ['cic-watch/demo-org', 'directory-sync/demo-org']) {
    const status = await eventually(`${id} to stop`, async () => {
      const s = (await h.temporal.workflow.getHandle(id).describe()).status.name;
      return s !== 'RUNNING' ? s : undefined;
    });
    assert.equal(status, 'CANCELLED');
  }
});
