import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { PairingError, unpair } from '../../operations/pairing';
import { getPairing } from '../../db/pairing';
import { listUserStates } from '../../operations/directory';
import { historyText } from '../support/secret-scan';
import { payloadCodecFor } from '../../lib/payload-codec';
import { noPairingState, pairingStateCounts } from '../support/pairing-state';

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
  assert.match(String(row.rows[0].client_secret_enc), /^v2:[0-9a-f]{16}:/);
  for (const id of ['directory-sync/demo-org', 'cic-watch/demo-org', 'account-linking/demo-org']) {
    // Decoded: payloads are bytes, which a JSON dump of the history shows as numbers (see the test below).
    const history = await historyText(h.temporal, [id], { decryptWith: payloadCodecFor(h.config) });
    assert.ok(history.includes('demo-org'), `${id}'s payloads are decoded (its input names the org)`);
    assert.ok(!history.includes('demo-secret') && !history.includes('admin-pass'), `no secret in ${id}'s history`);
  }
  await assert.rejects(
    h.pair({ apiUrl: 'http://127.0.0.1:1', loginUrl: 'http://127.0.0.1:2' }),
    refused(/already paired with organization 'demo-org'.*refused/),
  );
  const again = await h.pair();
  assert.equal(again.repaired, true, 'confirming the same pairing is fine');
});

test('the history scan finds a secret planted in a workflow input, memo or signal (a JSON dump of the history would not)', async () => {
  // A workflow no worker polls for: its history holds the start (input, memo) and the signal, nothing runs.
  const planted = { input: 'planted-input-7f3a', memo: 'planted-memo-7f3a', signal: 'planted "signal" \\ 7f3a' };
  const handle = await h.temporal.workflow.start('secretScanProbe', {
    workflowId: `secret-scan-probe/${Date.now()}`,
    taskQueue: `${h.config.taskQueue}-nobody-polls`,
    args: [{ clientSecret: planted.input }],
    memo: { note: planted.memo },
  });
  try {
    await handle.signal('probe', { password: planted.signal });
    const scanned = await historyText(h.temporal, [handle.workflowId], { decryptWith: payloadCodecFor(h.config) });
    for (const [where, secret] of Object.entries(planted)) assert.ok(scanned.includes(secret), `the scan finds the secret planted in the ${where}`);
    const dumped = JSON.stringify(await handle.fetchHistory());
    for (const secret of Object.values(planted)) assert.ok(!dumped.includes(secret), 'a JSON dump of the history hides it (payloads are bytes)');
  } finally {
    await handle.terminate('secret scan probe done').catch(() => {});
  }
});

test('unpair stops the sync, forgets its state and leaves the cloud users as they are', async () => {
  const before = (await h.cloudUsers()).length;
  const result = await unpair(h);
  assert.equal(result?.orgShortName, 'demo-org');
  assert.equal(result?.cloudUsersLeft, before);
  assert.equal(await getPairing(h.db), undefined);
  assert.equal((await h.cloudUsers()).filter((u: any) => u.active).length, before, 'nothing deactivated in the cloud');
  // unpair returns only once the pairing's workflows have ended, and then nothing of the pairing is left.
  for (const id of ['cic-watch/demo-org', 'directory-sync/demo-org']) {
    assert.equal((await h.temporal.workflow.getHandle(id).describe()).status.name, 'CANCELLED', id);
  }
  assert.notEqual((await h.temporal.workflow.getHandle('account-linking/demo-org').describe()).status.name, 'RUNNING');
  assert.deepEqual(await pairingStateCounts(h.db), noPairingState);
});
