import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { simFetch } from '../../simulators/genesys/sim-client';
import { scimSession, useGenesysSimulator } from '../support/genesys-sim-fixture';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('Genesys simulator: SCIM PATCH', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 0 });
  let token: string;
  let base: string;
  let id: string;

  const patch = (Operations: unknown[], headers: Record<string, string> = {}, schemas = [PATCH_OP]) =>
    simFetch(`${base}/users/${id}`, { method: 'PATCH', token, headers, json: { schemas, Operations } });

  before(async () => {
    ({ base, token } = await scimSession(sim));
  });
  beforeEach(async () => {
    const res = await simFetch(`${base}/users`, {
      token,
      json: {
        schemas: [USER],
        userName: 'pat@example.com',
        displayName: 'Pat',
        phoneNumbers: [{ type: 'work', value: '+15551230001' }],
        emails: [{ type: 'work', value: 'pat.work@example.com' }],
      },
    });
    id = res.body.id;
  });

  it('replaces simple attributes and bumps the version once per change', async () => {
    const res = await patch([
      { op: 'replace', path: 'displayName', value: 'Pat Smith' },
      { op: 'replace', path: 'externalId', value: 'cic-42' },
      { op: 'replace', path: 'active', value: false },
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Pat Smith');
    assert.equal(res.body.externalId, 'cic-42');
    assert.equal(res.body.active, false);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.equal(res.body.meta.version, '"2"');
    const noop = await patch([{ op: 'replace', path: 'displayName', value: 'Pat Smith' }]);
    assert.equal(noop.headers.get('etag'), '"2"');
  });

  it('adds, replaces and removes typed values through filter paths', async () => {
    let res = await patch([
      { op: 'add', path: 'phoneNumbers[type eq "work2"].value', value: 'tel:+15551230002;ext=7' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'pat.new@example.com' },
      { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+15551230003' },
    ]);
    assert.equal(res.status, 200);
    const phones = Object.fromEntries(res.body.phoneNumbers.map((p: any) => [p.type, p.value]));
    assert.deepEqual(phones, {
      work: '+15551230001',
      work2: 'tel:+15551230002;ext=7',
      mobile: '+15551230003',
    });
    assert.equal(res.body.emails.find((e: any) => e.type === 'work').value, 'pat.new@example.com');
    res = await patch([{ op: 'remove', path: 'phoneNumbers[type eq "work"]' }]);
    assert.deepEqual(res.body.phoneNumbers.map((p: any) => p.type).sort(), ['mobile', 'work2']);
    res = await patch([{ op: 'replace', path: 'phoneNumbers[type eq "home"].value', value: '+15551230004' }]);
    assert.equal(res.status, 400, 'replace of a value that does not exist has no target (RFC 7644)');
    assert.equal(res.body.scimType, 'noTarget');
    res = await patch([{ op: 'remove', path: 'phoneNumbers[type eq "home"]' }]);
    assert.equal(res.body.scimType, 'noTarget');
  });

  it('adds to multi-valued attributes by type and replaces them whole', async () => {
    let res = await patch([
      {
        op: 'add',
        path: 'phoneNumbers',
        value: [
          { type: 'work', value: '+15551239999' },
          { type: 'home', value: '+15551238888' },
        ],
      },
    ]);
    assert.deepEqual(Object.fromEntries(res.body.phoneNumbers.map((p: any) => [p.type, p.value])), {
      work: '+15551239999',
      home: '+15551238888',
    });
    res = await patch([
      { op: 'replace', path: 'phoneNumbers', value: [{ type: 'other', value: '+15551237777' }] },
    ]);
    assert.deepEqual(res.body.phoneNumbers, [{ type: 'other', value: '+15551237777' }]);
    res = await patch([{ op: 'remove', path: 'phoneNumbers' }]);
    assert.deepEqual(res.body.phoneNumbers, []);
  });

  it('applies operations without a path from the value object, extension keys included', async () => {
    const res = await patch([
      {
        op: 'replace',
        value: {
          displayName: 'Pat V',
          Title: 'Lead',
          active: false,
          [`${ENT}:employeeNumber`]: 'E9',
          [ENT]: { department: 'Ops' },
        },
      },
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Pat V');
    assert.equal(res.body.title, 'Lead');
    assert.equal(res.body.active, false);
    assert.equal(res.body[ENT].employeeNumber, 'E9');
    assert.equal(res.body[ENT].department, 'Ops');
  });

  it('sets and removes extension attributes by URN path, and the manager', async () => {
    const boss = await simFetch(`${base}/users`, {
      token,
      json: { schemas: [USER], userName: 'boss@example.com', displayName: 'Boss' },
    });
    let res = await patch([
      { op: 'add', path: `${ENT}:manager`, value: { value: boss.body.id } },
      { op: 'add', path: `${ENT}:division`, value: 'Support' },
    ]);
    assert.equal(res.body[ENT].manager.value, boss.body.id);
    assert.equal(res.body[ENT].division, 'Support');
    res = await patch([{ op: 'remove', path: `${ENT}:manager` }]);
    assert.equal(res.body[ENT].manager, undefined);
    res = await patch([{ op: 'replace', path: `${ENT}:manager.value`, value: 'no-such-user' }]);
    assert.equal(res.status, 400);
  });

  it('accepts a write-only password and never returns it', async () => {
    const res = await patch([{ op: 'replace', path: 'password', value: 'N3w-Secret!' }]);
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes('N3w-Secret'));
    assert.equal(sim.state.directory.users.get(id)!.passwordSet, true);
  });

  it('refuses read-only and mirrored attributes, bad paths and bad values', async () => {
    const cases: [unknown[], string][] = [
      [[{ op: 'replace', path: 'emails[type eq "other"].value', value: 'x@example.com' }], 'mutability'],
      [[{ op: 'add', path: 'groups', value: [{ value: 'g' }] }], 'mutability'],
      [[{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
      [[{ op: 'replace', path: 'nickName', value: 'x' }], 'invalidPath'],
      [[{ op: 'replace', path: 'phoneNumbers.value', value: '+15551230000' }], 'invalidPath'],
      [[{ op: 'replace', path: 'emails[type sw "w"].value', value: 'x' }], 'invalidPath'],
      [[{ op: 'remove' }], 'noTarget'],
      [[{ op: 'replace', path: 'active', value: 'false' }], 'invalidValue'],
      [[{ op: 'add', path: 'phoneNumbers[type eq "work2"].value', value: '555-1234' }], 'invalidValue'],
      [[{ op: 'add', path: 'phoneNumbers[type eq "pager"].value', value: '+15551230000' }], 'invalidValue'],
      [[{ op: 'replace', path: 'userName', value: 'not-an-email' }], 'invalidValue'],
      [[{ op: 'remove', path: 'displayName' }], 'invalidValue'],
      [[{ op: 'move', path: 'displayName', value: 'x' }], 'invalidSyntax'],
      [[{ op: 'replace', path: 'displayName' }], 'invalidSyntax'],
      [[], 'invalidSyntax'],
    ];
    for (const [ops, scimType] of cases) {
      const res = await patch(ops);
      assert.equal(res.status, 400, JSON.stringify(ops));
      assert.equal(res.body.scimType, scimType, JSON.stringify(ops));
    }
    const noSchema = await patch([{ op: 'replace', path: 'displayName', value: 'x' }], {}, ['urn:wrong']);
    assert.equal(noSchema.body.scimType, 'invalidSyntax');
    const after = await simFetch(`${base}/users/${id}`, { token });
    assert.equal(after.headers.get('etag'), '"1"', 'failed PATCH requests change nothing');
  });

  it('is atomic: a failing operation discards the earlier ones', async () => {
    const res = await patch([
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'replace', path: 'phoneNumbers[type eq "home"].value', value: '+15551230000' },
    ]);
    assert.equal(res.status, 400);
    assert.equal((await simFetch(`${base}/users/${id}`, { token })).body.displayName, 'Pat');
  });

  it('answers 409 when PATCH moves userName or externalId onto another user', async () => {
    await simFetch(`${base}/users`, {
      token,
      json: { schemas: [USER], userName: 'taken@example.com', displayName: 'T', externalId: 'cic-1' },
    });
    assert.equal(
      (await patch([{ op: 'replace', path: 'userName', value: 'TAKEN@example.com' }])).body.scimType,
      'uniqueness',
    );
    assert.equal((await patch([{ op: 'add', path: 'externalId', value: 'cic-1' }])).status, 409);
    const moved = await patch([{ op: 'replace', path: 'userName', value: 'pat.new@example.com' }]);
    assert.equal(moved.status, 200);
    assert.equal(moved.body.emails.find((e: any) => e.type === 'other').value, 'pat.new@example.com');
  });

  it('accepts case-insensitive op names and attribute names, as Entra sends them', async () => {
    const res = await patch([
      { op: 'Replace', path: 'DisplayName', value: 'Entra' },
      { op: 'Add', path: 'PhoneNumbers[Type eq "Mobile"].Value', value: '+15551230009' },
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Entra');
    assert.ok(res.body.phoneNumbers.some((p: any) => p.type === 'mobile' && p.value === '+15551230009'));
  });
});
