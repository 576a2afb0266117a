import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { startGenesysSimulator } from '../../simulators/genesys';
import { clientToken, simFetch } from '../../simulators/genesys/sim-client';
import { scimSession, useGenesysSimulator } from '../support/genesys-sim-fixture';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GEN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('Genesys simulator: SCIM users', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 0 });
  let token: string;
  let base: string;

  const scim = (path: string, req: Parameters<typeof simFetch>[1] = {}) =>
    simFetch(`${base}${path}`, { token, ...req });
  const create = (user: Record<string, unknown>) => scim('/users', { json: { schemas: [USER], ...user } });
  const filter = (f: string, extra = '') => scim(`/users?filter=${encodeURIComponent(f)}${extra}`);

  before(async () => {
    ({ base, token } = await scimSession(sim));
  });

  describe('authentication', () => {
    it('answers 401 with a SCIM error when the bearer token is missing, unknown or expired', async () => {
      const missing = await simFetch(`${base}/users`);
      assert.equal(missing.status, 401);
      assert.match(missing.headers.get('content-type')!, /application\/scim\+json/);
      assert.deepEqual(missing.body.schemas, [ERROR]);
      assert.equal(missing.body.status, '401');

      const unknown = await simFetch(`${base}/users`, { token: 'not-a-token' });
      assert.equal(unknown.status, 401);

      const short = await clientToken(sim.urls.login);
      sim.state.expireTokens(short);
      const expired = await simFetch(`${base}/users`, { token: short });
      assert.equal(expired.status, 401);
      assert.match(expired.body.detail, /expired/);
    });

    it('expires tokens after their lifetime', async () => {
      const quick = await startGenesysSimulator({ tokenLifetimeSeconds: 1 });
      try {
        const t = await clientToken(quick.urls.login);
        assert.equal((await simFetch(`${quick.urls.api}/api/v2/scim/v2/users`, { token: t })).status, 200);
        await new Promise((r) => setTimeout(r, 1100));
        assert.equal((await simFetch(`${quick.urls.api}/api/v2/scim/v2/users`, { token: t })).status, 401);
      } finally {
        await quick.close();
      }
    });
  });

  describe('create', () => {
    it('creates a user with the Genesys shape, ETag and Location; the other email mirrors userName', async () => {
      const res = await create({
        userName: 'Ann.Lee@example.com',
        displayName: 'Ann Lee',
        externalId: 'cic-ann',
        password: 'S3cret!pass',
        emails: [{ type: 'work', value: 'ann.work@example.com' }],
        phoneNumbers: [
          { type: 'work', value: '+15551234567' },
          { type: 'work2', value: 'tel:+15551234568;ext=123' },
          { type: 'mobile', value: '+447700900123' },
        ],
        [ENT]: { department: 'Sales', employeeNumber: 'E-1' },
        [GEN]: { routingSkills: [{ name: 'Spanish', proficiency: 4 }] },
      });
      assert.equal(res.status, 201);
      const u = res.body;
      assert.equal(res.headers.get('etag'), '"1"');
      assert.equal(u.meta.version, '"1"');
      assert.equal(res.headers.get('location'), `${base}/users/${u.id}`);
      assert.equal(u.userName, 'Ann.Lee@example.com');
      assert.equal(u.active, true);
      assert.equal(u.password, undefined);
      assert.deepEqual(
        u.emails.map((e: any) => [e.type, e.value]),
        [
          ['other', 'Ann.Lee@example.com'],
          ['work', 'ann.work@example.com'],
        ],
      );
      assert.equal(u[ENT].division, 'Home');
      assert.equal(u[GEN].routingSkills[0].name, 'Spanish');
      assert.ok(u.schemas.includes(GEN));
      assert.equal(sim.state.directory.users.get(u.id)!.passwordSet, true);
      assert.ok(!JSON.stringify((await scim(`/users/${u.id}`)).body).includes('S3cret'));
    });

    it('requires schemas, userName (an email) and displayName', async () => {
      const noSchema = await scim('/users', { json: { userName: 'a@example.com', displayName: 'A' } });
      assert.equal(noSchema.status, 400);
      assert.equal(noSchema.body.scimType, 'invalidSyntax');
      const noName = await create({ displayName: 'A' });
      assert.equal(noName.status, 400);
      assert.equal(noName.body.scimType, 'invalidValue');
      assert.equal((await create({ userName: 'not-an-email', displayName: 'A' })).status, 400);
      assert.equal((await create({ userName: 'a@example.com' })).status, 400);
    });

    it('answers 409 uniqueness for a userName in use in any case, even by an inactive user', async () => {
      const first = await create({ userName: 'dup@example.com', displayName: 'Dup', active: false });
      assert.equal(first.status, 201);
      const again = await create({ userName: 'DUP@Example.COM', displayName: 'Dup 2' });
      assert.equal(again.status, 409);
      assert.equal(again.body.scimType, 'uniqueness');
      assert.equal(again.body.status, '409');
      assert.deepEqual(again.body.schemas, [ERROR]);
    });

    it('keeps externalId case-exact and unique', async () => {
      assert.equal(
        (await create({ userName: 'x1@example.com', displayName: 'X', externalId: 'ABC' })).status,
        201,
      );
      assert.equal(
        (await create({ userName: 'x2@example.com', displayName: 'X', externalId: 'abc' })).status,
        201,
      );
      const clash = await create({ userName: 'x3@example.com', displayName: 'X', externalId: 'ABC' });
      assert.equal(clash.status, 409);
      assert.equal(clash.body.scimType, 'uniqueness');
    });

    it('accepts only E.164 or tel: URI phone values and the Genesys phone types', async () => {
      for (const value of [
        '5551234567',
        '+1 555 123 4567',
        '+1555',
        'tel:5551234567',
        '+0123456789',
        'tel:+15551234567;ext=',
      ]) {
        const res = await create({
          userName: `p${Math.random()}@example.com`,
          displayName: 'P',
          phoneNumbers: [{ type: 'work', value }],
        });
        assert.equal(res.status, 400, value);
        assert.equal(res.body.scimType, 'invalidValue');
      }
      const badType = await create({
        userName: 'pt@example.com',
        displayName: 'P',
        phoneNumbers: [{ type: 'fax', value: '+15551234567' }],
      });
      assert.equal(badType.status, 400);
      const twice = await create({
        userName: 'p2@example.com',
        displayName: 'P',
        phoneNumbers: [
          { type: 'work', value: '+15551234567' },
          { type: 'WORK', value: '+15551234568' },
        ],
      });
      assert.equal(twice.status, 400);
      for (const type of ['work3', 'work4', 'home', 'other', 'microsoftteams', 'zoomphone']) {
        const ok = await create({
          userName: `${type}@example.com`,
          displayName: 'P',
          phoneNumbers: [{ type, value: '+4915112345678' }],
        });
        assert.equal(ok.status, 201, type);
      }
    });

    it('refuses an other email that differs from userName', async () => {
      const res = await create({
        userName: 'o@example.com',
        displayName: 'O',
        emails: [{ type: 'other', value: 'else@example.com' }],
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'mutability');
    });

    it('refuses a manager that is not a user', async () => {
      const res = await create({
        userName: 'm@example.com',
        displayName: 'M',
        [ENT]: { manager: { value: 'nobody' } },
      });
      assert.equal(res.status, 400);
    });
  });

  describe('read and list', () => {
    it('gets by id with ETag, honours If-None-Match with 304, and 404s unknown ids', async () => {
      const { body: u } = await create({ userName: 'g@example.com', displayName: 'G' });
      const got = await scim(`/users/${u.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('etag'), '"1"');
      const cached = await scim(`/users/${u.id}`, { headers: { 'if-none-match': '"1"' } });
      assert.equal(cached.status, 304);
      assert.equal(cached.text, '');
      assert.equal((await scim(`/users/${u.id}`, { headers: { 'if-none-match': 'W/"1"' } })).status, 304);
      assert.equal((await scim(`/users/${u.id}`, { headers: { 'if-none-match': '"0"' } })).status, 200);
      const missing = await scim('/users/00000000-0000-0000-0000-000000000000');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body.schemas, [ERROR]);
      assert.equal(missing.body.status, '404');
    });

    it('lists active users only without a filter, 1-based, 25 per page by default', async () => {
      for (let i = 0; i < 30; i++)
        await create({ userName: `u${i}@example.com`, displayName: `U${i}`, active: i % 10 !== 9 });
      const first = await scim('/users');
      assert.deepEqual(first.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      assert.equal(first.body.totalResults, 27);
      assert.equal(first.body.startIndex, 1);
      assert.equal(first.body.itemsPerPage, 25);
      assert.equal(first.body.Resources.length, 25);
      assert.ok(first.body.Resources.every((u: any) => u.active));
      const second = await scim('/users?startIndex=26&count=25');
      assert.equal(second.body.Resources.length, 2);
      assert.equal(second.body.startIndex, 26);
      const zero = await scim('/users?count=0');
      assert.equal(zero.body.totalResults, 27);
      assert.equal(zero.body.itemsPerPage, 0);
      assert.deepEqual(zero.body.Resources, []);
      const inactive = await filter('active eq false');
      assert.equal(inactive.body.totalResults, 3);
      assert.ok(inactive.body.Resources.every((u: any) => !u.active));
      assert.equal((await scim('/users?startIndex=abc')).status, 400);
    });

    it('refuses pages above 25 unless attributes trim them, and caps count at 100', async () => {
      const big = await scim('/users?count=50');
      assert.equal(big.status, 429);
      assert.equal(big.headers.get('retry-after'), null);
      const trimmed = await scim('/users?count=500&attributes=id');
      assert.equal(trimmed.status, 200);
      assert.equal(trimmed.body.itemsPerPage, 0);
      for (let i = 0; i < 120; i++) await create({ userName: `c${i}@example.com`, displayName: `C${i}` });
      const capped = await scim('/users?count=500&attributes=id');
      assert.equal(capped.body.Resources.length, 100);
      assert.equal(capped.body.totalResults, 120);
    });

    it('filters with eq on the documented attributes, case rules included', async () => {
      const { body: boss } = await create({
        userName: 'boss@example.com',
        displayName: 'Boss',
        externalId: 'Ext-1',
      });
      const { body: emp } = await create({
        userName: 'Emp@Example.com',
        displayName: 'Emp',
        externalId: 'ext-2',
        emails: [{ type: 'work', value: 'emp.work@example.com' }],
        [ENT]: { manager: { value: boss.id }, division: 'Support', employeeNumber: '777' },
      });
      const { body: gone } = await create({
        userName: 'gone@example.com',
        displayName: 'Gone',
        active: false,
        externalId: 'ext-3',
      });
      const ids = async (f: string) => (await filter(f)).body.Resources.map((u: any) => u.id);

      assert.deepEqual(await ids('userName eq "emp@example.com"'), [emp.id]);
      assert.deepEqual(await ids('USERNAME EQ emp@EXAMPLE.com'), [emp.id]);
      assert.deepEqual(
        await ids(`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "Emp@Example.com"`),
        [emp.id],
      );
      assert.deepEqual(await ids('externalId eq "ext-2"'), [emp.id]);
      assert.deepEqual(await ids('externalId eq "EXT-2"'), []);
      assert.deepEqual(await ids(`id eq ${emp.id}`), [emp.id]);
      assert.deepEqual(await ids(`id eq ${emp.id.toUpperCase()}`), []);
      assert.deepEqual(await ids('email eq "EMP.WORK@example.com"'), [emp.id]);
      assert.deepEqual(await ids('emails.value eq "emp@example.com"'), [emp.id]);
      assert.deepEqual(await ids(`manager eq "${boss.id}"`), [emp.id]);
      assert.deepEqual(await ids('division eq "support"'), [emp.id]);
      assert.deepEqual(await ids(`${ENT}:employeeNumber eq "777"`), [emp.id]);
      // Identity filters find inactive users so a client can reactivate instead of duplicating.
      assert.deepEqual(await ids('userName eq "gone@example.com"'), [gone.id]);
      assert.deepEqual(await ids('externalId eq "ext-3"'), [gone.id]);
      assert.deepEqual(await ids('active eq true'), [boss.id, emp.id]);
    });

    it('answers 400 invalidFilter for anything but a single supported eq', async () => {
      for (const f of [
        'userName sw "a"',
        'userName ne "a"',
        'userName pr',
        'title eq "x"',
        'displayName eq "x"',
        'userName eq "a" and active eq true',
        'userName eq "unterminated',
        'active eq "false"',
        '',
        '(userName eq "a")',
      ]) {
        const res = await filter(f);
        assert.equal(res.status, 400, f);
        assert.equal(res.body.scimType, 'invalidFilter', f);
      }
    });

    it('honours attributes and excludedAttributes, always keeping id, userName, active and meta', async () => {
      const { body: u } = await create({
        userName: 'attr@example.com',
        displayName: 'Attr',
        externalId: 'x',
        phoneNumbers: [{ type: 'work', value: '+15551234567' }],
        [ENT]: { department: 'D' },
      });
      const only = (await scim(`/users/${u.id}?attributes=displayName,phoneNumbers.value,${ENT}:department`))
        .body;
      assert.deepEqual(
        Object.keys(only).sort(),
        [ENT, 'active', 'displayName', 'id', 'meta', 'phoneNumbers', 'schemas', 'userName'].sort(),
      );
      assert.deepEqual(only.phoneNumbers, [{ value: '+15551234567' }]);
      assert.deepEqual(only[ENT], { department: 'D' });
      const without = (await scim(`/users/${u.id}?excludedAttributes=externalId,roles,userName,${ENT}`)).body;
      assert.equal(without.externalId, undefined);
      assert.equal(without.roles, undefined);
      assert.equal(without[ENT], undefined);
      assert.equal(without.userName, 'attr@example.com');
      const listed = (await filter('userName eq "attr@example.com"', '&attributes=id')).body.Resources[0];
      assert.deepEqual(Object.keys(listed).sort(), ['active', 'id', 'meta', 'schemas', 'userName']);
    });
  });

  describe('replace and delete', () => {
    it('replaces with PUT, bumping the version, clearing omitted attributes and keeping active and roles', async () => {
      const { body: u } = await create({
        userName: 'put@example.com',
        displayName: 'Put',
        title: 'Agent',
        active: false,
        phoneNumbers: [{ type: 'home', value: '+15551234567' }],
      });
      const res = await scim(`/users/${u.id}`, {
        method: 'PUT',
        json: { schemas: [USER], userName: 'put2@example.com', displayName: 'Put Two' },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('etag'), '"2"');
      assert.equal(res.body.userName, 'put2@example.com');
      assert.equal(res.body.title, undefined);
      assert.deepEqual(res.body.phoneNumbers, []);
      assert.equal(res.body.active, false);
      assert.deepEqual(res.body.roles, [{ value: 'employee' }]);
      assert.equal(res.body.emails[0].value, 'put2@example.com');
      const same = await scim(`/users/${u.id}`, {
        method: 'PUT',
        json: { schemas: [USER], userName: 'put2@example.com', displayName: 'Put Two' },
      });
      assert.equal(same.headers.get('etag'), '"2"', 'an unchanged PUT keeps the version');
    });

    it('enforces If-Match with invalidVers on PUT, PATCH and DELETE', async () => {
      const { body: u } = await create({ userName: 'ver@example.com', displayName: 'Ver' });
      const body = { schemas: [USER], userName: 'ver@example.com', displayName: 'Ver 2' };
      const ok = await scim(`/users/${u.id}`, { method: 'PUT', json: body, headers: { 'if-match': '"1"' } });
      assert.equal(ok.status, 200);
      const stale = await scim(`/users/${u.id}`, {
        method: 'PUT',
        json: body,
        headers: { 'if-match': '"1"' },
      });
      assert.equal(stale.status, 400);
      assert.equal(stale.body.scimType, 'invalidVers');
      const patch = {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'displayName', value: 'V3' }],
      };
      assert.equal(
        (await scim(`/users/${u.id}`, { method: 'PATCH', json: patch, headers: { 'if-match': '"1"' } })).body
          .scimType,
        'invalidVers',
      );
      assert.equal(
        (await scim(`/users/${u.id}`, { method: 'PATCH', json: patch, headers: { 'if-match': 'W/"2"' } }))
          .status,
        200,
      );
      assert.equal(
        (await scim(`/users/${u.id}`, { method: 'PATCH', json: patch, headers: { 'if-match': '3' } })).body
          .scimType,
        'invalidVers',
      );
      assert.equal(
        (await scim(`/users/${u.id}`, { method: 'DELETE', headers: { 'if-match': '"2"' } })).body.scimType,
        'invalidVers',
      );
      assert.equal(
        (await scim(`/users/${u.id}`, { method: 'DELETE', headers: { 'if-match': '"3"' } })).status,
        204,
      );
    });

    it('hard-deletes, frees the userName, and 404s afterwards', async () => {
      const { body: u } = await create({ userName: 'del@example.com', displayName: 'Del' });
      assert.equal((await scim(`/users/${u.id}`, { method: 'DELETE' })).status, 204);
      assert.equal((await scim(`/users/${u.id}`)).status, 404);
      assert.equal((await scim(`/users/${u.id}`, { method: 'DELETE' })).status, 404);
      assert.equal(sim.state.directory.users.size, 0);
      assert.equal((await create({ userName: 'del@example.com', displayName: 'Del' })).status, 201);
    });
  });

  it('rejects malformed JSON, wrong content types, unknown paths and methods', async () => {
    const bad = await scim('/users', { body: '{nope', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.scimType, 'invalidSyntax');
    const xml = await scim('/users', { body: '<x/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.status, 415);
    assert.equal((await scim('/Users')).status, 404);
    const method = await scim('/users', { method: 'DELETE' });
    assert.equal(method.status, 405);
    assert.match(method.headers.get('allow')!, /GET/);
    assert.equal((await simFetch(`${sim.urls.login}/api/v2/scim/v2/users`, { token })).status, 404);
    assert.equal((await simFetch(`${sim.urls.api}/oauth/token`, { method: 'POST' })).status, 404);
  });

  it('serves the organization with its short name', async () => {
    const res = await simFetch(`${sim.urls.api}/api/v2/organizations/me`, { token });
    assert.equal(res.status, 200);
    assert.equal(res.body.thirdPartyOrgName, 'demo-org');
    assert.ok(res.body.id && res.body.name);
    const me = await simFetch(`${sim.urls.api}/api/v2/users/me`, { token });
    assert.equal(me.status, 400, 'client-credentials tokens have no user context');
  });
});
