import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseEmail, parseCicSnapshot, parseCicUser } from '../../domain/cic-user';

const record = (id: unknown, pip?: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
  configurationId: {
    id,
    displayName: typeof id === 'string' ? id : undefined,
    uri: `/configuration/users/${id}`,
  },
  ...(pip === undefined ? {} : { personalInformationProperties: pip }),
  ...extra,
});

describe('parseCicUser', () => {
  it('normalises a full record', () => {
    const r = parseCicUser(
      record(
        'jdoe',
        {
          displayName: ' Jane Doe ',
          givenName: 'Jane',
          surname: 'Doe',
          emailAddress: ' Jane.Doe@Example.COM ',
          businessNumber: '(317) 555-0100',
          business2Number: '317.555.0101 x23',
          mobileNumber: '+44 20 7946 0958',
          homeNumber: null,
          faxNumber: '',
          departmentName: 'Sales',
          title: 'Rep',
        },
        { extension: '1001', lastModifiedDate: '20201029T082018Z', createdDate: '20200101T000000Z' },
      ),
    );
    assert.deepEqual(r, {
      ok: true,
      user: {
        id: 'jdoe',
        userName: 'jdoe',
        displayName: 'Jane Doe',
        email: 'Jane.Doe@example.com',
        phones: { business: '(317) 555-0100', business2: '317.555.0101 x23', mobile: '+44 20 7946 0958' },
      },
    });
  });

  it('sets displayName only when CIC has one (not from configurationId.displayName)', () => {
    const r = parseCicUser(record('jdoe', { emailAddress: 'j@x.org' }));
    assert.ok(r.ok);
    assert.equal('displayName' in r.user, false);
    const blank = parseCicUser(record('jdoe', { displayName: '   ' }));
    assert.ok(blank.ok);
    assert.equal(blank.user.displayName, undefined);
  });

  it('accepts a record without personal information (null or missing)', () => {
    assert.deepEqual(parseCicUser(record('a')), { ok: true, user: { id: 'a', userName: 'a', phones: {} } });
    assert.deepEqual(parseCicUser(record('a', null)), {
      ok: true,
      user: { id: 'a', userName: 'a', phones: {} },
    });
  });

  it('treats null properties from change messages as cleared', () => {
    const r = parseCicUser(record('a', { emailAddress: null, displayName: null, mobileNumber: null }));
    assert.deepEqual(r, { ok: true, user: { id: 'a', userName: 'a', phones: {} } });
  });

  it('keeps unicode names, composed to NFC', () => {
    const r = parseCicUser(
      record('zoe', { displayName: 'Zoe\u0308 Ågren-山田', emailAddress: 'zoë@exämple.de' }),
    );
    assert.ok(r.ok);
    assert.equal(r.user.displayName, 'Zoë Ågren-山田');
    assert.equal(r.user.displayName, r.user.displayName?.normalize('NFC'));
    assert.equal(r.user.email, 'zoë@exämple.de');
  });

  it('reports a record without id, never throws', () => {
    for (const raw of [
      undefined,
      null,
      42,
      'jdoe',
      [],
      {},
      { configurationId: {} },
      { configurationId: { id: '  ' } },
    ]) {
      const r = parseCicUser(raw);
      assert.equal(r.ok, false, JSON.stringify(raw));
      assert.ok(!r.ok && r.reason.startsWith('invalid CIC user record: '));
      assert.ok(!r.ok && r.cicId === undefined);
    }
    const r = parseCicUser({ configurationId: {} });
    assert.ok(!r.ok && r.reason.includes('configurationId.id'));
  });

  it('reports wrong types with the path and keeps the id when readable', () => {
    const r = parseCicUser(record('jdoe', { emailAddress: 42, mobileNumber: ['x'] }));
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.cicId, 'jdoe');
    assert.match(r.reason, /personalInformationProperties\.emailAddress: .*expected string/);
    assert.match(r.reason, /personalInformationProperties\.mobileNumber/);
    const numericId = parseCicUser(record(7, {}));
    assert.ok(!numericId.ok && numericId.cicId === undefined && /configurationId\.id/.test(numericId.reason));
  });

  it('ignores unexpected types in properties the bridge does not sync', () => {
    const r = parseCicUser(
      record('a', { emailAddress: 'a@x.org', title: 5, departmentName: {} }, { extension: 1001 }),
    );
    assert.equal(r.ok, true);
  });

  it('refuses a malformed business email as an invalid record with the id', () => {
    const r = parseCicUser(record('bob', { emailAddress: 'bob at example.com' }));
    assert.deepEqual(r, {
      ok: false,
      cicId: 'bob',
      reason: "business email 'bob at example.com' must contain exactly one @",
    });
  });
});

describe('normaliseEmail', () => {
  it('lower-cases the domain only and trims', () => {
    assert.deepEqual(normaliseEmail('  Mixed.Case@Sub.Example.ORG '), {
      ok: true,
      value: 'Mixed.Case@sub.example.org',
    });
    assert.deepEqual(normaliseEmail("o'brien+tag@x-y.co.uk"), { ok: true, value: "o'brien+tag@x-y.co.uk" });
  });

  it('rejects malformed shapes with a reason', () => {
    const bad = [
      'plain',
      'a@@b.com',
      'a@b@c.com',
      '@example.com',
      'a b@example.com',
      '.a@example.com',
      'a..b@example.com',
      'a@example',
      'a@-example.com',
      'a@example..com',
      'a@example.123',
      `${'x'.repeat(65)}@example.com`,
      `a@${'d'.repeat(250)}.com`,
    ];
    for (const email of bad) {
      const r = normaliseEmail(email);
      assert.equal(r.ok, false, email);
      assert.ok(!r.ok && r.reason.startsWith(`business email '${email}'`));
    }
  });
});

describe('parseCicSnapshot', () => {
  it('splits usable users from invalid records', () => {
    const s = parseCicSnapshot([
      record('a', { emailAddress: 'a@x.org' }),
      { nope: true },
      record('b', { emailAddress: 1 }),
    ]);
    assert.deepEqual(
      s.users.map((u) => u.id),
      ['a'],
    );
    assert.equal(s.invalid.length, 2);
    assert.equal(s.invalid[0].cicId, undefined);
    assert.equal(s.invalid[1].cicId, 'b');
  });
});
