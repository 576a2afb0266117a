import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { signInThroughOrg } from '../support/sso-flow';
import { captureLogs, databaseText, historyText } from '../support/secret-scan';
import { listUserStates } from '../../operations/directory';
import { rotateSigningKey, linkingProgress, requestLinkProof } from '../../operations/sso';
import { countSsoStates, ssoStates } from '../../db/sso-links';
import { listIdpKeys } from '../../db/idp-keys';
import { SecretBox } from '../../lib/secrets';
import { IcwsSession } from '../../clients/cic';
import { createPairingContext } from '../../activities/pairing-context';
import { createKeyring } from '../../idp/keyring';
import { createIdentityProvider } from '../../idp/identity-provider';
import { openProducer } from '../../queues/connection';
import { createSigningCredentials } from '../../lib/x509-self-signed';
import { Worker } from '@temporalio/worker';
import { dataConverterFor, payloadCodecFor } from '../../lib/payload-codec';
import { workflowsPath } from '../../workers/temporal-worker';

/**
 * Account linking without passwords: registration of the IdP, proof of each link by SAML2-bearer exchange,
 * key rotation under sign-in load, the token broker, and that no secret lands in logs, rows or history.
 */

let h: BridgeHarness;
let output: ReturnType<typeof captureLogs>;
const PASSWORD = 'Neo-Pa55word-xyzzy';
const neo = { username: 'neo', password: PASSWORD };
const urls = () => ({ login: h.genesys.urls.login, bridge: h.bridgeUrl });
const brokered: string[] = [];

before(async () => {
  output = captureLogs();
  h = await startBridge('sso_linking', { cic: { directory: { count: 12, seed: 9, noEmailShare: 0.2, duplicateEmailShare: 0 } }, config: { logLevel: 'debug' } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'neo', password: PASSWORD, personalInformationProperties: { emailAddress: 'neo@example.com' } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'trinity', password: 'Trinity-pass-1', personalInformationProperties: { displayName: 'Trinity' } });
  await h.pair();
  await eventually('the first sync pass', async () => (await listUserStates(h.db)).lastRun?.status === 'completed', 60_000);
});
after(async () => {
  output?.stop();
  await h?.stop();
});

const synced = async () => (await listUserStates(h.db, 'synced')).users.filter((u) => u.genesysId);

test('pairing registers the bridge as the org’s PureConnect IdP and proves every link by SAML2-bearer exchange', async () => {
  const idp = await eventually('the registration', async () => h.genesys.state.identityProviders.get('cic'));
  assert.equal(idp.issuerURI, `${h.bridgeUrl}/saml/metadata`);
  assert.equal(idp.ssoTargetURI, `${h.bridgeUrl}/saml/sso`);
  assert.equal(idp.relyingPartyIdentifier, 'genesys.cloud.demo-org');
  const [key] = await listIdpKeys(h.db);
  assert.equal(new X509Certificate(idp.certificates[0]).fingerprint256, new X509Certificate(key.certificatePem).fingerprint256);
  const metadata = await (await fetch(`${h.bridgeUrl}/saml/metadata`)).text();
  assert.match(metadata, /<md:EntityDescriptor[^>]+entityID="[^"]+\/saml\/metadata"/);
  assert.ok(metadata.includes(key.certificatePem.replace(/-----[^-]+-----|\s/g, '')), 'metadata publishes the certificate');

  const users = await synced();
  assert.ok(users.length >= 8, `synced ${users.length}`);
  const counts = await eventually('every link proved', async () => {
    const c = await countSsoStates(h.db);
    return c.verified === users.length ? c : undefined;
  }, 60_000);
  assert.equal(counts.failed ?? 0, 0);
  const bearer = h.genesys.state.logins.filter((l) => l.kind === 'saml2-bearer');
  const neoCloud = users.find((u) => u.cicId === 'neo')!.genesysId;
  assert.ok(bearer.some((l) => l.userId === neoCloud), 'the org issued a token for neo’s cloud user');
  const progress = await linkingProgress(h, 'demo-org');
  assert.equal(progress.registeredCertificates, 1);
  assert.ok((await ssoStates(h.db)).get('trinity') === undefined, 'a user without email is never proved');
});

test('the SAML2-bearer exchange is refused by the org for an email no cloud user has', async () => {
  const redis = await openProducer(h.config.redisUrl);
  const pairingContext = createPairingContext({ db: h.db, redis, secretKey: h.config.secretKey, budgetPrefix: 'x' });
  const idp = createIdentityProvider({ db: h.db, pairingContext, keyring: createKeyring({ db: h.db, secretKey: h.config.secretKey }), publicUrl: () => h.bridgeUrl });
  try {
    await assert.rejects(idp.tokenFor({ email: 'nobody@example.com' }), (err: Error) => err.name === 'SamlGrantRefused' && /saml\.user/.test(err.message));
    const ok = await idp.tokenFor({ email: 'neo@example.com' });
    assert.equal(ok.userId, (await synced()).find((u) => u.cicId === 'neo')!.genesysId);
  } finally {
    await pairingContext.close();
    redis.disconnect();
  }
});

test('a link whose token belongs to someone else is Failed with the reason; a backfill proves it again', async () => {
  const real = (await synced()).find((u) => u.cicId === 'neo')!.genesysId!;
  await h.db.updateTable('user_links').set({ genesys_id: 'not-neos-cloud-id' }).where('cic_id', '=', 'neo').execute();
  const failed = await eventually('neo failed', async () => {
    const s = (await ssoStates(h.db, ['neo'])).get('neo');
    return s?.state === 'failed' ? s : undefined;
  }, 30_000);
  assert.match(failed.reason!, new RegExp(`belongs to cloud user ${real}, not the linked not-neos-cloud-id`));
  await h.db.updateTable('user_links').set({ genesys_id: real }).where('cic_id', '=', 'neo').execute();
  await requestLinkProof({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue, secretKey: h.config.secretKey });
  await eventually('neo verified again', async () => (await ssoStates(h.db, ['neo'])).get('neo')?.state === 'verified', 30_000);
});

test('the token broker turns a live CIC session into the agent’s Genesys Cloud token, and nothing else', async () => {
  const session = await IcwsSession.connect({ servers: [h.cic.urls.primary], userId: 'neo', password: PASSWORD });
  const broker = (body: unknown) => fetch(`${h.bridgeUrl}/sso/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    const seed = 'seed-1';
    const authToken = await session.uniqueAuthToken(seed);
    const res = await broker({ authToken, authTokenSeed: seed });
    assert.equal(res.status, 200);
    const token = (await res.json()) as { access_token: string; expires_in: number };
    brokered.push(token.access_token);
    const me = await (await fetch(`${h.genesys.urls.api}/api/v2/users/me`, { headers: { authorization: `Bearer ${token.access_token}` } })).json();
    assert.equal((me as { email: string }).email, 'neo@example.com');
    const reused = await broker({ authToken, authTokenSeed: seed });
    assert.equal(reused.status, 401, 'a one-time token works once');
    const wrongSeed = await broker({ authToken: await session.uniqueAuthToken('a'), authTokenSeed: 'b' });
    assert.equal(wrongSeed.status, 401);
    assert.equal((await broker({ authToken: 'made-up' })).status, 400);
  } finally {
    await session.close();
  }
  const unlinked = await IcwsSession.connect({ servers: [h.cic.urls.primary], userId: 'trinity', password: 'Trinity-pass-1' });
  try {
    const res = await broker({ authToken: await unlinked.uniqueAuthToken('s'), authTokenSeed: 's' });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { reason: string }).reason, /not linked/);
  } finally {
    await unlinked.close();
  }
});

test('key rotation: the next certificate is registered beside the current one before the switch; no sign-in fails', async () => {
  const before = (await listIdpKeys(h.db)).find((k) => k.status === 'current')!;
  let stop = false;
  const results: string[] = [];
  const loop = async () => {
    while (!stop) {
      const { acs } = await signInThroughOrg(urls(), neo);
      results.push(acs?.status === 302 ? '302' : `${acs?.status} ${acs?.body}`);
    }
  };
  const loops = [loop(), loop(), loop()];
  await new Promise((r) => setTimeout(r, 300));
  const { switchedTo } = await rotateSigningKey({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue, secretKey: h.config.secretKey });
  // Sign-ins go on until every process has re-read its keys and signs with the new one.
  await new Promise((r) => setTimeout(r, 3000));
  stop = true;
  await Promise.all(loops);
  assert.ok(results.length >= 10, `${results.length} sign-ins during the rotation`);
  assert.deepEqual([...new Set(results)], ['302'], 'every sign-in succeeded');
  const keys = await listIdpKeys(h.db);
  assert.equal(keys.find((k) => k.status === 'current')!.id, switchedTo);
  assert.equal(keys.find((k) => k.status === 'previous')!.id, before.id);
  const registered = h.genesys.state.identityProviders.get('cic')!.certificates.map((c) => new X509Certificate(c).fingerprint256);
  assert.equal(registered.length, 2);
  const last = h.genesys.state.logins.at(-1)!;
  assert.equal(last.kind, 'acs');
  const status = await (await import('../../operations/sso')).idpStatus(h);
  assert.ok(status.keys.every((k) => k.daysLeft > 300), 'expiry shown');
});

test('an imported key is registered and switched to like a rotation; a bad one is refused before anything changes', async () => {
  const deps = { db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue, secretKey: h.config.secretKey };
  const mine = createSigningCredentials({ commonName: 'acme IdP' });
  await assert.rejects(rotateSigningKey(deps, { privateKeyPem: mine.privateKeyPem, certificatePem: createSigningCredentials().certificatePem }), /does not belong/);
  const { switchedTo } = await rotateSigningKey(deps, mine);
  const current = (await listIdpKeys(h.db)).find((k) => k.status === 'current')!;
  assert.equal(current.id, switchedTo);
  assert.equal(new X509Certificate(current.certificatePem).fingerprint256, new X509Certificate(mine.certificatePem).fingerprint256);
  await new Promise((r) => setTimeout(r, 2500));
  const { acs } = await signInThroughOrg(urls(), neo);
  assert.equal(acs?.status, 302, acs?.body);
});

test('the account-linking history replays deterministically against the current workflow code', async () => {
  const history = await h.temporal.workflow.getHandle('account-linking/demo-org').fetchHistory();
  await Worker.runReplayHistory({ workflowsPath, replayName: 'account-linking', dataConverter: dataConverterFor(h.config) }, history);
});

test('no CIC password, signing key or user token appears in a log line, a database row or workflow history', async () => {
  const current = (await listIdpKeys(h.db)).find((k) => k.status === 'current')!;
  const keyPem = new SecretBox(h.config.secretKey).open(current.privateKeySealed);
  const keyLine = keyPem.split('\n')[3];
  assert.ok(keyLine.length >= 60);
  const secrets = { 'CIC password': PASSWORD, 'signing key': keyLine, 'OAuth client secret': 'demo-secret', ...Object.fromEntries(brokered.map((t, i) => [`user token ${i}`, t])) };
  const logs = output.text();
  assert.ok(logs.includes('sign-in: assertion issued'), 'the capture holds the IdP’s log lines');
  const db = await databaseText(h.db, h.config.databaseSchema);
  assert.ok(db.includes('BEGIN CERTIFICATE') || db.includes('MII'), 'the dump holds the key rows');
  const history = await historyText(h.temporal, ['account-linking/demo-org', 'directory-sync/demo-org', 'cic-watch/demo-org'], {
    decryptWith: payloadCodecFor(h.config),
  });
  assert.ok(history.includes('proveLinksPage'), 'the decoded history holds the activity calls');
  for (const [what, secret] of Object.entries(secrets)) {
    assert.ok(!logs.includes(secret), `${what} in the logs`);
    assert.ok(!db.includes(secret), `${what} in the database`);
    assert.ok(!history.includes(secret), `${what} in workflow history`);
  }
});
