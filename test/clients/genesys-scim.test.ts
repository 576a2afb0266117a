import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createHttpClient,
  createScimClient,
  NOT_MODIFIED,
  nonRetryableGenesysErrorTypes,
  ScimError,
  staticBearer,
  type GenesysClient,
} from '../../clients/genesys';
import { seedUser } from '../../simulators/genesys';
import { useGenesysClientSuite } from '../support/genesys-client-fixture';

const { sim, client } = useGenesysClientSuite('genesys_scim');
let gc: GenesysClient;

beforeEach(() => {
  gc = client();
});

/** Asserts a ScimError of the given type that Temporal would not retry. */
function scimFailure(type: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ScimError, String(err));
    assert.equal(err.type, type);
    assert.equal(err.retryable, false);
    assert.ok((nonRetryableGenesysErrorTypes as readonly string[]).includes(type));
    return true;
  };
}

const ada = {
  userName: 'ada@example.com',
  displayName: 'Ada Lovelace',
  externalId: 'cic-ada',
  phoneNumbers: [{ type: 'work', value: '+15551230001' }],
};

test('create, read, patch with If-Match, replace and delete a user; versions travel as ETags', async () => {
  const created = await gc.scim.createUser(ada);
  assert.equal(created.userName, ada.userName);
  assert.equal(created.active, true);
  assert.ok(created.meta?.version);

  const read = await gc.scim.getUser(created.id);
  assert.equal(read.externalId, 'cic-ada');
  assert.equal(read.meta?.version, created.meta?.version);

  const patched = await gc.scim.patchUser(
    created.id,
    [
      { op: 'replace', path: 'displayName', value: 'Ada King' },
      { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+15551230002' },
    ],
    { ifMatch: read.meta?.version },
  );
  assert.equal(patched.displayName, 'Ada King');
  assert.deepEqual(patched.phoneNumbers?.map((p) => p.type).sort(), ['mobile', 'work']);
  assert.notEqual(patched.meta?.version, read.meta?.version);

  const replaced = await gc.scim.replaceUser(
    created.id,
    { ...ada, displayName: 'Ada L.' },
    { ifMatch: patched.meta?.version },
  );
  assert.equal(replaced.displayName, 'Ada L.');

  await gc.scim.deleteUser(created.id, { ifMatch: replaced.meta?.version });
  await assert.rejects(gc.scim.getUser(created.id), scimFailure('ScimNotFound'));
});

test('a stale If-Match is ScimInvalidVersion, not retried in-client; the caller re-reads and succeeds', async () => {
  const u = await gc.scim.createUser(ada);
  const stale = u.meta!.version!;
  await gc.scim.patchUser(u.id, [{ op: 'replace', path: 'title', value: 'Analyst' }], { ifMatch: stale });
  const deactivate = [{ op: 'replace' as const, path: 'active', value: false }];
  await assert.rejects(
    gc.scim.patchUser(u.id, deactivate, { ifMatch: stale }),
    scimFailure('ScimInvalidVersion'),
  );
  await assert.rejects(gc.scim.deleteUser(u.id, { ifMatch: stale }), scimFailure('ScimInvalidVersion'));
  assert.equal(sim.state.requestLog.count({ method: 'PATCH', status: 400 }), 1);

  const fresh = await gc.scim.getUser(u.id);
  const done = await gc.scim.patchUser(u.id, deactivate, { ifMatch: fresh.meta?.version, priority: 'high' });
  assert.equal(done.active, false);
});

test('a duplicate userName or externalId is ScimConflict (409 uniqueness)', async () => {
  await gc.scim.createUser(ada);
  await assert.rejects(gc.scim.createUser({ ...ada, externalId: 'cic-other' }), (err) => {
    scimFailure('ScimConflict')(err);
    assert.equal((err as ScimError).scimType, 'uniqueness');
    assert.equal((err as ScimError).status, 409);
    return true;
  });
  await assert.rejects(
    gc.scim.createUser({ ...ada, userName: 'other@example.com' }),
    scimFailure('ScimConflict'),
  );
  assert.equal(
    sim.state.requestLog.count({ method: 'POST', status: 409 }),
    2,
    'a conflict is never repeated',
  );
});

test('If-None-Match answers 304 while the user is unchanged', async () => {
  const u = await gc.scim.createUser(ada);
  assert.equal(await gc.scim.getUser(u.id, { ifNoneMatch: u.meta!.version! }), NOT_MODIFIED);
  await gc.scim.patchUser(u.id, [{ op: 'replace', path: 'title', value: 'Countess' }], {
    ifMatch: u.meta?.version,
  });
  const changed = await gc.scim.getUser(u.id, { ifNoneMatch: u.meta!.version! });
  assert.notEqual(changed, NOT_MODIFIED);
  assert.equal(changed !== NOT_MODIFIED && changed.title, 'Countess');
});

test('findUsers quotes values, checks extra terms, and finds inactive users only when asked', async () => {
  const odd = await gc.scim.createUser({
    userName: 'o"brien\\x@example.com',
    displayName: 'Pat',
    externalId: 'cic-1',
  });
  const found = await gc.scim.findUsers([{ attribute: 'userName', value: 'O"Brien\\X@example.com' }]);
  assert.deepEqual(
    found.map((u) => u.id),
    [odd.id],
  );
  assert.equal(
    sim.state.requestLog.entries().filter((e) => e.method === 'GET' && e.status === 400).length,
    0,
  );

  const both = [
    { attribute: 'externalId' as const, value: 'cic-1' },
    { attribute: 'userName' as const, value: 'someone-else@example.com' },
  ];
  assert.deepEqual(await gc.scim.findUsers(both), [], 'every term must match');

  await gc.scim.patchUser(odd.id, [{ op: 'replace', path: 'active', value: false }], {
    ifMatch: odd.meta?.version,
  });
  assert.deepEqual(await gc.scim.findUsers([{ attribute: 'externalId', value: 'cic-1' }]), []);
  const inactive = await gc.scim.findUsers([{ attribute: 'externalId', value: 'cic-1' }], {
    includeInactive: true,
  });
  assert.equal(inactive.length, 1);
  assert.equal(inactive[0].active, false);
  assert.deepEqual(
    await gc.scim.findUsers([{ attribute: 'externalId', value: 'nobody' }], { includeInactive: true }),
    [],
  );
});

test('listUsers pages 1-based and the page iterator walks every page with a resumable cursor', async () => {
  for (let i = 0; i < 60; i++) {
    seedUser(
      sim.state,
      { userName: `user${i}@example.com`, displayName: `User ${i}`, active: i % 12 !== 0 },
      sim.urls.api,
    );
  }
  const second = await gc.scim.listUsers({ startIndex: 26, count: 10 });
  assert.equal(second.startIndex, 26);
  assert.equal(second.Resources.length, 10);
  assert.equal(second.totalResults, 55, 'Genesys lists active users only when unfiltered');

  const pages = [];
  for await (const page of gc.scim.pages({ attributes: ['displayName'] })) pages.push(page);
  assert.deepEqual(
    pages.map((p) => [p.startIndex, p.resources.length, p.nextStartIndex]),
    [
      [1, 25, 26],
      [26, 25, 51],
      [51, 5, undefined],
    ],
  );
  assert.equal(new Set(pages.flatMap((p) => p.resources.map((u) => u.id))).size, 55);

  const inactive = [];
  for await (const page of gc.scim.pages({ filter: 'active eq false', startIndex: 1, pageSize: 2 }))
    inactive.push(...page.resources);
  assert.equal(inactive.length, 5);
});

test('serviceProviderConfig, and the same client against a plain SCIM root with a static bearer token', async () => {
  const spc = await gc.scim.serviceProviderConfig();
  assert.deepEqual(spc.patch, { supported: true });

  const token = await gc.tokens.getToken();
  const plain = createScimClient({
    http: createHttpClient({ baseUrl: `${sim.urls.api}/api/v2/scim/v2`, tokens: staticBearer(token) }),
    basePath: '',
  });
  const u = await plain.createUser(ada);
  assert.equal((await plain.getUser(u.id)).userName, ada.userName);
});
