import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CicUser } from '../../domain/cic-user';
import { isServiceUser, phoneMapping, toScimUser } from '../../domain/user-mapping';

const jane: CicUser = {
  id: 'jdoe',
  userName: 'jdoe',
  displayName: 'Jane Doe',
  email: 'Jane.Doe@example.com',
  phones: {
    business: '(317) 555-0100',
    business2: '317.555.0101 x23',
    mobile: '+44 20 7946 0958',
    home: '317-555-0103',
    fax: '317 555 0104',
  },
};

describe('toScimUser', () => {
  it('maps every attribute of DESIGN.md §3', () => {
    assert.deepEqual(toScimUser(jane, { defaultCountry: 'US' }), {
      ok: true,
      problems: [],
      scim: {
        externalId: 'jdoe',
        userName: 'Jane.Doe@example.com',
        displayName: 'Jane Doe',
        emails: [{ type: 'work', value: 'Jane.Doe@example.com', primary: true }],
        phoneNumbers: [
          { type: 'work', value: '+13175550100' },
          { type: 'work2', value: 'tel:+13175550101;ext=23' },
          { type: 'mobile', value: '+442079460958' },
          { type: 'home', value: '+13175550103' },
          { type: 'other', value: '+13175550104' },
        ],
        active: true,
      },
    });
  });

  it('defaults the display name to the CIC user name', () => {
    const r = toScimUser({ ...jane, displayName: undefined }, { defaultCountry: 'US' });
    assert.ok(r.ok);
    assert.equal(r.scim.displayName, 'jdoe');
  });

  it('does not sync a user without business email', () => {
    assert.deepEqual(toScimUser({ ...jane, email: undefined }, { defaultCountry: 'US' }), {
      ok: false,
      state: 'not-synced',
      reason: 'no business email',
    });
  });

  it('leaves out an unusable phone, reports it, and still syncs the rest', () => {
    const r = toScimUser(
      { ...jane, phones: { business: '555-0102', mobile: '(317) 555-0199', fax: 'garbage-abc' } },
      {
        defaultCountry: 'US',
      },
    );
    assert.ok(r.ok);
    assert.deepEqual(r.scim.phoneNumbers, [{ type: 'mobile', value: '+13175550199' }]);
    assert.deepEqual(r.problems, [
      "Business phone '555-0102' is not a valid number for US: too short",
      "Fax 'garbage-abc' is not a valid number for US: not a phone number",
    ]);
  });

  it('uses the configured default country', () => {
    const r = toScimUser({ ...jane, phones: { business: '020 7946 0958' } }, { defaultCountry: 'GB' });
    assert.ok(r.ok);
    assert.deepEqual(r.scim.phoneNumbers, [{ type: 'work', value: '+442079460958' }]);
  });

  it('excludes the service user with its own reason, even when it has an email', () => {
    const admin: CicUser = { id: 'purecloudadmin', userName: 'purecloudadmin', email: 'a@x.org', phones: {} };
    assert.deepEqual(toScimUser(admin, { defaultCountry: 'US' }), {
      ok: false,
      state: 'excluded',
      reason: 'the bridge service user is never synced',
    });
    const renamed = toScimUser(
      { ...admin, id: 'BridgeSvc' },
      { defaultCountry: 'US', serviceUserName: 'bridgesvc' },
    );
    assert.equal(renamed.ok, false);
    assert.equal(toScimUser(admin, { defaultCountry: 'US', serviceUserName: 'BridgeSvc' }).ok, true);
  });
});

describe('isServiceUser', () => {
  it('matches PureCloudAdmin case-insensitively, name configurable', () => {
    assert.equal(isServiceUser('PureCloudAdmin'), true);
    assert.equal(isServiceUser('PURECLOUDADMIN'), true);
    assert.equal(isServiceUser('purecloudadmin2'), false);
    assert.equal(isServiceUser('svc', 'SVC'), true);
  });
});

describe('phoneMapping', () => {
  it('follows the seed: Business→work, Business 2→work2, Mobile→mobile, Home→home, Fax→other', () => {
    assert.deepEqual(
      phoneMapping.map((p) => [p.field, p.type]),
      [
        ['business', 'work'],
        ['business2', 'work2'],
        ['mobile', 'mobile'],
        ['home', 'home'],
        ['fax', 'other'],
      ],
    );
  });
});
