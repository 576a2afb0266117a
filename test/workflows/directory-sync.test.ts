import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { listUserStates, requestBackfill, syncProgress, userDetail } from '../../operations/directory';
import { latestRun } from '../../db/sync-runs';

let h: BridgeHarness;

before(async () => {
  h = await startBridge('dirsync', { cic: { directory: { count: 40, seed: 11, noEmailShare: 0.1, duplicateEmailShare: 0, oddPhoneShare: 0.2 } } });
});
after(async () => h?.stop());

test('pairing runs a first full sync: every user with an email is created, the rest are listed with the reason', async () => {
  await h.pair();
  const states = await eventually('the first pass', async () => {
    const s = await listUserStates(h.db);
    return s.lastRun?.status === 'completed' ? s : undefined;
  });
  const cicUsers = h.cic.directory.list();
  const withEmail = cicUsers.filter((u: any) => u.personalInformationProperties?.emailAddress && u.configurationId.id !== 'PureCloudAdmin');
  const cloud = await h.cloudUsers();
  assert.equal(cloud.length, withEmail.length, 'one cloud user per CIC user with an email');
  assert.ok(states.counts['not-synced'] >= 1);
  const noEmail = states.users.filter((u) => u.reason === 'no business email');
  assert.equal(noEmail.length, cicUsers.length - withEmail.length - 1);
  const admin = await userDetail(h.db, 'PureCloudAdmin');
  assert.equal(admin.link?.state, 'not-synced');
  assert.ok(!cloud.some((u: any) => u.externalId === 'PureCloudAdmin'));
});

const findCloud = async (externalId: string) => (await h.cloudUsers()).find((u: any) => u.externalId === externalId);
const phone = (u: any, type: string) => u?.phoneNumbers?.find((p: any) => p.type === type)?.value;

test('a user added after pairing reaches the cloud within seconds, with the mapped attributes', async () => {
  const started = Date.now();
  await h.cicAdmin('POST', '/__admin/users', {
    id: 'ada.lovelace',
    personalInformationProperties: {
      emailAddress: 'ada.lovelace@example.com',
      businessNumber: '(317) 555-0100',
      business2Number: '317.555.0101 x23',
      mobileNumber: '+44 20 7946 0958',
      homeNumber: '555-0102',
      faxNumber: '+1 317 555 0199',
    },
  });
  const user = await eventually('the new user in the cloud', () => findCloud('ada.lovelace'), 10_000);
  assert.ok(Date.now() - started < 10_000);
  assert.equal(user.userName, 'ada.lovelace@example.com');
  assert.equal(user.displayName, 'ada.lovelace', 'display name defaults to the CIC user name');
  assert.equal(user.active, true);
  assert.equal(phone(user, 'work'), '+13175550100');
  assert.equal(phone(user, 'work2'), 'tel:+13175550101;ext=23');
  assert.equal(phone(user, 'mobile'), '+442079460958');
  assert.equal(phone(user, 'other'), '+13175550199');
  assert.equal(phone(user, 'home'), undefined, 'the unusable home number is left out');
  assert.ok(user.emails.some((e: any) => e.type === 'work' && e.value === 'ada.lovelace@example.com'));
  const detail = await eventually('the link', async () => ((await userDetail(h.db, 'ada.lovelace')).link?.state === 'synced' ? userDetail(h.db, 'ada.lovelace') : undefined));
  assert.equal(detail.link!.problems.length, 1);
  assert.match(detail.link!.problems[0], /Home phone '555-0102'/);
  assert.ok(detail.link!.lastSyncedAt);
  assert.deepEqual(detail.link!.lastTrace!.map((s: any) => s.step), ['read', 'match', 'action']);
});

test('a display name added later replaces the defaulted one; a cleared phone is removed', async () => {
  await h.cicAdmin('PATCH', '/__admin/users/ada.lovelace', { personalInformationProperties: { displayName: 'Ada Lovelace', faxNumber: null } });
  const user = await eventually('the new display name', async () => {
    const u = await findCloud('ada.lovelace');
    return u?.displayName === 'Ada Lovelace' ? u : undefined;
  });
  assert.equal(phone(user, 'other'), undefined);
  assert.equal(phone(user, 'work'), '+13175550100', 'untouched attributes stay');
});

test('a user without an email is not synced until one appears', async () => {
  await h.cicAdmin('POST', '/__admin/users', { id: 'no.mail', personalInformationProperties: { displayName: 'No Mail' } });
  await eventually('not-synced state', async () => (await userDetail(h.db, 'no.mail')).link?.reason === 'no business email');
  assert.equal(await findCloud('no.mail'), undefined);
  await h.cicAdmin('PATCH', '/__admin/users/no.mail', { personalInformationProperties: { emailAddress: 'no.mail@example.com' } });
  const user = await eventually('the user once it has an email', () => findCloud('no.mail'));
  assert.equal(user.displayName, 'No Mail');
});

test('removing a CIC user deactivates the cloud user; restoring reactivates it', async () => {
  const before = await findCloud('ada.lovelace');
  await h.cicAdmin('DELETE', '/__admin/users/ada.lovelace');
  await eventually('deactivation', async () => (await findCloud('ada.lovelace'))?.active === false);
  const detail = await userDetail(h.db, 'ada.lovelace');
  assert.equal(detail.link?.state, 'deactivated');
  await h.cicAdmin('POST', '/__admin/users/ada.lovelace/restore');
  const back = await eventually('reactivation', async () => {
    const u = await findCloud('ada.lovelace');
    return u?.active === true ? u : undefined;
  });
  assert.equal(back.id, before.id, 'the same cloud user, not a new one');
});

test('an existing cloud user with the same email is linked, never duplicated; one linked elsewhere is a conflict', async () => {
  const [existing] = (await h.genesysAdmin('POST', '/__admin/users', { userName: 'grace.hopper@example.com', displayName: 'Amazing Grace', active: true })).users;
  await h.genesysAdmin('POST', '/__admin/users', { userName: 'linus@example.com', displayName: 'Linus', externalId: 'someone-else', active: true });
  await h.cicAdmin('POST', '/__admin/users', { id: 'grace.hopper', personalInformationProperties: { emailAddress: 'grace.hopper@example.com', displayName: 'Grace Hopper' } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'linus', personalInformationProperties: { emailAddress: 'linus@example.com' } });
  const linked = await eventually('the link', () => findCloud('grace.hopper'));
  assert.equal(linked.id, existing.id);
  assert.equal(linked.displayName, 'Grace Hopper');
  const conflict = await eventually('the conflict', async () => {
    const d = await userDetail(h.db, 'linus');
    return d.link?.state === 'conflict' ? d : undefined;
  });
  assert.match(conflict.link!.reason!, /already linked to CIC user 'someone-else'/);
  const cloud = await h.cloudUsers();
  assert.equal(cloud.filter((u: any) => u.userName === 'grace.hopper@example.com').length, 1);
  assert.equal(cloud.find((u: any) => u.userName === 'linus@example.com').externalId, 'someone-else', 'never overwritten');
});

test('a cloud-side edit stays until that attribute changes in CIC', async () => {
  const user = await findCloud('grace.hopper');
  // An administrator edits the name in Genesys Cloud (through SCIM, as the admin UI would).
  const token = await fetch(`${h.genesys.urls.login}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const patched = await fetch(`${h.genesys.urls.api}/api/v2/scim/v2/users/${user.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Admiral Hopper' }] }),
  });
  assert.equal(patched.status, 200);
  await h.cicAdmin('PATCH', '/__admin/users/grace.hopper', { personalInformationProperties: { mobileNumber: '+1 317 555 0142' } });
  const after = await eventually('the phone change', async () => {
    const u = await findCloud('grace.hopper');
    return phone(u, 'mobile') === '+13175550142' ? u : undefined;
  });
  assert.equal(after.displayName, 'Admiral Hopper', 'the cloud edit was not overwritten');
});

test('a run that would deactivate too many users stops for an operator; a confirmed backfill goes ahead', async () => {
  const active = (await h.cloudUsers()).filter((u: any) => u.active && u.externalId);
  const victims = h.cic.directory
    .list()
    .map((u: any) => u.configurationId.id)
    .filter((id: string) => id !== 'PureCloudAdmin' && active.some((c: any) => c.externalId === id))
    .slice(0, Math.ceil(active.length * 0.5));
  // One burst, as when a CIC directory glitch drops users: the watch delivers them together.
  for (const id of victims) h.cic.directory.remove(id);
  await requestBackfill({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { requestedBy: 'test' });
  const blocked = await eventually('a blocked run', async () => {
    const run = await latestRun(h.db);
    return run?.status === 'blocked' ? run : undefined;
  });
  assert.match(blocked.blocked_reason!, /mass-removal safeguard/);
  assert.equal((await h.cloudUsers()).filter((u: any) => victims.includes(u.externalId) && !u.active).length, 0, 'nobody deactivated');

  await requestBackfill({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { requestedBy: 'test', allowMassRemoval: true });
  await eventually('the confirmed deactivations', async () =>
    (await h.cloudUsers()).filter((u: any) => victims.includes(u.externalId) && !u.active).length === victims.length,
  );
  const progress = await eventually('the confirmed pass to finish', async () => {
    const p = await syncProgress({ db: h.db, temporal: h.temporal });
    return p.state === 'waiting' && p.lastPass?.status === 'completed' ? p : undefined;
  });
  assert.ok(progress.passes >= 2);
  const runs = await h.db.selectFrom('sync_runs').selectAll().where('kind', '=', 'full').orderBy('started_at').execute();
  const blockedAt = runs.findIndex((r) => r.status === 'blocked');
  assert.ok(blockedAt >= 0, 'a full run was blocked');
  const confirmed = runs.slice(blockedAt + 1).find((r) => r.status === 'completed' && r.counts.deactivate);
  assert.equal(confirmed?.counts.deactivate, victims.length, 'the confirmed run deactivated exactly the removed users');
});
