import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { simFetch } from '../../simulators/genesys/sim-client';
import { scimSession, useGenesysSimulator } from '../support/genesys-sim-fixture';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('Genesys simulator: SCIM groups and discovery', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 0 });
  let token: string;
  let base: string;
  const scim = (path: string, req: Parameters<typeof simFetch>[1] = {}) =>
    simFetch(`${base}${path}`, { token, ...req });

  before(async () => {
    ({ base, token } = await scimSession(sim));
  });

  const agentsGroup = async () =>
    (await scim(`/groups?filter=${encodeURIComponent('displayName eq "agents"')}`)).body.Resources[0];
  const newUser = async (n: string) =>
    (await scim('/users', { json: { schemas: [USER], userName: `${n}@example.com`, displayName: n } })).body;

  it('requires a filter, finds seeded groups by displayName (any case) or id', async () => {
    const none = await scim('/groups');
    assert.equal(none.status, 400);
    assert.equal(none.body.scimType, 'invalidFilter');
    const g = await agentsGroup();
    assert.equal(g.displayName, 'Agents');
    assert.deepEqual(g.schemas, [GROUP]);
    const byId = await scim(`/groups?filter=${encodeURIComponent(`id eq ${g.id}`)}`);
    assert.equal(byId.body.totalResults, 1);
    assert.equal(
      (await scim(`/groups?filter=${encodeURIComponent('userName eq "x"')}`)).body.scimType,
      'invalidFilter',
    );
    assert.equal(
      (await scim(`/groups?filter=${encodeURIComponent('displayName eq "Nobody"')}`)).body.totalResults,
      0,
    );
  });

  it('has no SCIM create or delete for groups', async () => {
    const g = await agentsGroup();
    assert.equal((await scim('/groups', { json: { schemas: [GROUP], displayName: 'New' } })).status, 405);
    assert.equal((await scim(`/groups/${g.id}`, { method: 'DELETE' })).status, 405);
  });

  it('patches membership, reflects it on the user, and versions the group', async () => {
    const g = await agentsGroup();
    const a = await newUser('a');
    const b = await newUser('b');
    let res = await scim(`/groups/${g.id}`, {
      method: 'PATCH',
      json: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }],
      },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.members.map((m: any) => m.value).sort(), [a.id, b.id].sort());
    assert.equal(res.headers.get('etag'), '"2"');
    const user = await scim(`/users/${a.id}`);
    assert.deepEqual(
      user.body.groups.map((x: any) => x.display),
      ['Agents'],
    );
    res = await scim(`/groups/${g.id}`, {
      method: 'PATCH',
      json: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] },
    });
    assert.deepEqual(
      res.body.members.map((m: any) => m.value),
      [b.id],
    );
    assert.deepEqual((await scim(`/users/${a.id}`)).body.groups, []);
    res = await scim(`/groups/${g.id}`, {
      method: 'PATCH',
      json: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: 'members', value: [{ value: b.id }] }],
      },
    });
    assert.deepEqual(res.body.members, [], 'Entra removes members with a value list');
    res = await scim(`/groups/${g.id}`, {
      method: 'PATCH',
      json: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }],
      },
    });
    assert.equal(res.status, 400);
  });

  it('replaces a group with PUT, honouring If-Match and If-None-Match', async () => {
    const g = await agentsGroup();
    const a = await newUser('a');
    const put = await scim(`/groups/${g.id}`, {
      method: 'PUT',
      headers: { 'if-match': '"1"' },
      json: { schemas: [GROUP], displayName: 'Agents', members: [{ value: a.id }] },
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.members[0].display, 'a');
    const stale = await scim(`/groups/${g.id}`, {
      method: 'PUT',
      headers: { 'if-match': '"1"' },
      json: { schemas: [GROUP], displayName: 'Agents', members: [] },
    });
    assert.equal(stale.body.scimType, 'invalidVers');
    assert.equal((await scim(`/groups/${g.id}`, { headers: { 'if-none-match': '"2"' } })).status, 304);
    assert.equal((await scim('/groups/nope')).status, 404);
    await scim(`/users/${a.id}`, { method: 'DELETE' });
    assert.deepEqual(
      (await scim(`/groups/${g.id}`)).body.members,
      [],
      'deleting a user drops its memberships',
    );
  });

  it('serves schemas, resource types and the service provider config', async () => {
    const schemas = await scim('/schemas');
    assert.equal(schemas.status, 200);
    const ids = schemas.body.Resources.map((s: any) => s.id);
    for (const id of [
      USER,
      GROUP,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
      'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
      'urn:ietf:params:scim:schemas:core:2.0:Schema',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    const user = await scim(`/schemas/${USER}`);
    const phone = user.body.attributes.find((a: any) => a.name === 'phoneNumbers');
    assert.ok(phone.subAttributes.find((s: any) => s.name === 'type').canonicalValues.includes('work2'));
    assert.equal((await scim('/schemas/urn:nope')).status, 404);
    assert.equal((await scim(`/schemas?filter=${encodeURIComponent('id eq "x"')}`)).status, 403);

    const types = await scim('/resourcetypes');
    assert.deepEqual(
      types.body.Resources.map((r: any) => r.id),
      ['User', 'Group', 'ServiceProviderConfig', 'ResourceType', 'Schema'],
    );
    const userType = await scim('/resourcetypes/User');
    assert.equal(userType.body.endpoint, '/users');
    assert.equal(userType.body.schemaExtensions.length, 2);
    assert.equal((await scim('/resourcetypes/Nope')).status, 404);

    const spc = await scim('/serviceproviderconfig');
    assert.equal(spc.body.patch.supported, true);
    assert.equal(spc.body.bulk.supported, false);
    assert.equal(spc.body.etag.supported, true);
    assert.equal(spc.body.filter.maxResults, 100);
    const etag = spc.headers.get('etag')!;
    assert.equal((await scim('/serviceproviderconfig', { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await simFetch(`${base}/serviceproviderconfig`)).status, 401);
  });
});
