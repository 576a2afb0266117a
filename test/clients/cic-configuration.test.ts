import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging } from '../../lib/logger';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import {
  IcwsError,
  IcwsSession,
  getUser,
  getUserStatus,
  listStatusMessages,
  listUsers,
  readAllUsers,
  setUserStatus,
  userExists,
} from '../../clients/cic';

configureLogging({ level: 'silent' });

let sim: CicSimulatorPair;
let session: IcwsSession;

before(async () => {
  sim = await startCicSimulatorPair({ directory: { count: 1_000, seed: 42 } });
  session = await IcwsSession.connect({
    servers: [sim.urls.primary],
    userId: 'PureCloudAdmin',
    password: 'admin-pass',
  });
});

after(async () => {
  await session?.close();
  await sim?.close();
});

test('paging through 1,000 users returns every one exactly once, in pages of the asked size', async () => {
  const pageSizes: number[] = [];
  const ids: string[] = [];
  for await (const page of listUsers(session, { pageSize: 150 })) {
    pageSizes.push(page.length);
    ids.push(...page.map((u) => u.configurationId.id));
  }
  assert.equal(ids.length, 1_000);
  assert.equal(new Set(ids.map((id) => id.toLowerCase())).size, 1_000);
  const expected = sim.directory
    .list()
    .map((u) => u.configurationId.id)
    .sort();
  assert.deepEqual([...ids].sort(), expected);
  assert.deepEqual(pageSizes, [...Array(6).fill(150), 100]);
});

test('a page size above the server cap still reads everything', async () => {
  const users = await readAllUsers(session, { pageSize: 500, select: 'configurationId' });
  assert.equal(users.length, 1_000);
  assert.deepEqual(Object.keys(users[0]), ['configurationId']);
});

test('records come back raw, with personal information and no empty properties', async () => {
  const users = await readAllUsers(session);
  const withPip = users.filter((u) => u.personalInformationProperties);
  assert.ok(withPip.length > 900);
  const withoutEmail = users.filter((u) => !u.personalInformationProperties?.emailAddress);
  assert.ok(withoutEmail.length > 0, 'the seeded directory has users without a business email');
  for (const u of users) {
    for (const value of Object.values(u.personalInformationProperties ?? {})) assert.notEqual(value, '');
  }
});

test('where filters on the server', async () => {
  const sample = sim.directory.list()[10].configurationId.id;
  const users = await readAllUsers(session, { where: `configurationId.id eq ${sample}` });
  assert.deepEqual(
    users.map((u) => u.configurationId.id),
    [sample],
  );
  assert.deepEqual(await readAllUsers(session, { where: 'configurationId.id eq no-such-user' }), []);
});

test('getUser and userExists', async () => {
  const record = sim.directory.list()[5];
  const id = record.configurationId.id;
  assert.deepEqual(await getUser(session, id), record);
  assert.equal(await getUser(session, 'no-such-user'), undefined);
  assert.equal(await userExists(session, id.toUpperCase()), true, 'ids are case-insensitive');
  assert.equal(await userExists(session, 'no-such-user'), false);
});

test('status catalog, a user status, and setting one', async () => {
  const catalog = await listStatusMessages(session);
  assert.ok(catalog.some((s) => s.statusId === 'Available' && s.isAcdStatus));
  assert.ok(catalog.some((s) => s.isDoNotDisturbStatus));

  const id = sim.directory.list()[3].configurationId.id;
  await setUserStatus(session, id, 'At Lunch');
  const status = await getUserStatus(session, id);
  assert.equal(status.userId, id);
  assert.equal(status.statusId, 'At Lunch');
  assert.match(status.statusChanged ?? '', /^\d{8}T\d{6}Z$/);

  const err = await setUserStatus(session, id, 'AcdAgentNotAnswering').catch((e: unknown) => e);
  assert.ok(err instanceof IcwsError);
  assert.equal(err.status, 400);
  assert.equal(err.retryable, false);
});
