import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPayloadConverter } from '@temporalio/common';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { historyText } from '../support/secret-scan';
import { listUserStates } from '../../operations/directory';
import { payloadCodecFor } from '../../lib/payload-codec';
import { keyId } from '../../lib/secrets';

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'codec-access-token-0123456789';
let h: BridgeHarness;

before(async () => {
  h = await startBridge('codec', { cic: { directory: { count: 10, seed: 5, duplicateEmailShare: 0 } }, config: { codecCorsOrigins: UI, codecAccessToken: TOKEN } });
});
after(async () => h?.stop());

const workflows = ['directory-sync/demo-org', 'cic-watch/demo-org', 'account-linking/demo-org'];

test('personal data (CIC user ids, emails) is not in the raw history of any workflow; decrypted it is there', async () => {
  await h.pair();
  await eventually('the first sync', async () => (await listUserStates(h.db)).lastRun?.status === 'completed', 60_000);
  const users = (await h.cloudUsers()).filter((u: any) => u.externalId);
  assert.ok(users.length >= 5, 'users synced');
  // A change in CIC: the watch hands its id to the sync as a signal, which the history holds.
  const changed = users[0].externalId as string;
  await h.cicAdmin('PATCH', `/__admin/users/${encodeURIComponent(changed)}`, { personalInformationProperties: { displayName: 'Codec Probe Name' } });
  await eventually('the change in the cloud', async () => (await h.cloudUsers()).some((u: any) => u.externalId === changed && u.displayName === 'Codec Probe Name'), 30_000);
  // A Genesys-style error text with an email, as an activity result would carry it.
  const probe = await h.temporal.workflow.start('secretScanProbe', {
    workflowId: `codec-probe/${Date.now()}`,
    taskQueue: `${h.config.taskQueue}-nobody-polls`,
    args: [{ error: `userName ${users[1].userName} already exists`, cicUserId: users[1].externalId }],
  });
  try {
    const ids = [...workflows, probe.workflowId];
    const decrypted = await historyText(h.temporal, ids, { decryptWith: payloadCodecFor(h.config) });
    assert.ok(decrypted.includes(changed), 'decrypted, the history holds the changed CIC id (the scan would find it)');
    assert.ok(decrypted.includes(users[1].userName), 'and the email');
    const raw = await historyText(h.temporal, ids);
    assert.ok(raw.includes('binary/encrypted'), 'the raw history holds encrypted payloads');
    for (const u of users) {
      assert.ok(!raw.includes(u.externalId), `CIC id ${u.externalId} is not in the raw history`);
      assert.ok(!raw.toLowerCase().includes(String(u.userName).toLowerCase()), `email ${u.userName} is not in the raw history`);
    }
  } finally {
    await probe.terminate('probe done').catch(() => {});
  }
});

test('the codec endpoint decodes what the history holds for the Temporal UI: CORS for its origin, the token required', async () => {
  const probe = await h.temporal.workflow.start('secretScanProbe', {
    workflowId: `codec-endpoint-probe/${Date.now()}`,
    taskQueue: `${h.config.taskQueue}-nobody-polls`,
    args: [{ email: 'codec.endpoint@example.com' }],
  });
  const history = await probe.fetchHistory();
  await probe.terminate('probe done').catch(() => {});
  const p = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  const json = {
    payloads: [{ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(p.data!).toString('base64') }],
  };
  assert.equal(Buffer.from(p.metadata!.encoding!).toString(), 'binary/encrypted');
  const call = (path: string, init: { origin?: string; token?: string | null; body?: unknown; method?: string } = {}) =>
    fetch(`${h.bridgeUrl}${path}`, {
      method: init.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        'x-namespace': 'default',
        ...(init.origin && { origin: init.origin }),
        ...(init.token !== null && { authorization: `Bearer ${init.token ?? TOKEN}` }),
      },
      body: init.method === 'OPTIONS' ? undefined : JSON.stringify(init.body ?? json),
    });

  const pre = await call('/codec/decode', { method: 'OPTIONS', origin: UI, token: null });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), UI);
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);

  const decoded = await call('/codec/decode', { origin: UI });
  assert.equal(decoded.status, 200);
  assert.equal(decoded.headers.get('access-control-allow-origin'), UI);
  const out = (await decoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  assert.deepEqual(JSON.parse(Buffer.from(out.payloads[0].data, 'base64').toString()), { email: 'codec.endpoint@example.com' });
  assert.equal(Buffer.from(out.payloads[0].metadata.encoding, 'base64').toString(), 'json/plain');

  assert.equal((await call('/codec/decode', { token: null })).status, 401, 'no token');
  assert.equal((await call('/codec/decode', { token: 'wrong-token-0123456789' })).status, 401, 'wrong token');
  assert.equal((await call('/codec/decode', { origin: 'http://evil.example' })).status, 403, 'another origin');
  assert.equal((await call('/codec/decode', { body: { nope: 1 } })).status, 400, 'a bad body is refused with a reason');

  const plain = defaultPayloadConverter.toPayload({ round: 'trip' });
  const enc = await call('/codec/encode', {
    body: { payloads: [{ metadata: { encoding: Buffer.from(plain.metadata!.encoding!).toString('base64') }, data: Buffer.from(plain.data!).toString('base64') }] },
  });
  const encoded = (await enc.json()) as typeof out;
  assert.equal(Buffer.from(encoded.payloads[0].metadata['encryption-key-id'], 'base64').toString(), keyId(h.config.secretKey!));
  const back = (await (await call('/codec/decode', { body: encoded })).json()) as typeof out;
  assert.deepEqual(JSON.parse(Buffer.from(back.payloads[0].data, 'base64').toString()), { round: 'trip' });
});
