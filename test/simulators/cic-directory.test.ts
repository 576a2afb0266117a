import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDirectory } from '../../simulators/cic/directory';
import { createPrng } from '../../simulators/cic/prng';

const phoneKeys = ['businessNumber', 'business2Number', 'mobileNumber', 'homeNumber', 'faxNumber'] as const;
const cleanPhone = /^\+1(\d{10}| \d{3} \d{3} \d{4})$/;

describe('CIC simulator: directory generator', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    const a = generateDirectory({ count: 500, seed: 123 });
    const b = generateDirectory({ count: 500, seed: 123 });
    const c = generateDirectory({ count: 500, seed: 124 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.deepEqual(
      Array.from({ length: 3 }, createPrng(9).next),
      Array.from({ length: 3 }, createPrng(9).next),
    );
  });

  it('always includes PureCloudAdmin and keeps ids unique without regard to case', () => {
    const users = generateDirectory({ count: 2000, seed: 1 });
    assert.equal(users.length, 2000);
    assert.equal(users[0].configurationId.id, 'PureCloudAdmin');
    assert.equal(new Set(users.map((u) => u.configurationId.id.toLowerCase())).size, users.length);
    assert.equal(generateDirectory({ count: 1, seed: 1 })[0].configurationId.id, 'PureCloudAdmin');
  });

  it('applies each share to an exact number of users', () => {
    const users = generateDirectory({
      count: 1001,
      seed: 77,
      noEmailShare: 0.1,
      duplicateEmailShare: 0.02,
      oddPhoneShare: 0.2,
      unicodeShare: 0.15,
      noDisplayNameShare: 0.05,
    }).slice(1);
    const emails = users.map((u) => u.personalInformationProperties?.emailAddress);
    assert.equal(emails.filter((e) => e === undefined).length, 100);

    const counts = new Map<string, number>();
    for (const e of emails) if (e) counts.set(e.toLowerCase(), (counts.get(e.toLowerCase()) ?? 0) + 1);
    const sharing = emails.filter((e) => e && counts.get(e.toLowerCase())! > 1).length;
    const distinctShared = [...counts.values()].filter((n) => n > 1).length;
    assert.equal(sharing - distinctShared, 20, 'twenty users copy an address someone else has');

    const odd = users.filter((u) =>
      phoneKeys.some((k) => {
        const v = u.personalInformationProperties?.[k];
        return v !== undefined && !cleanPhone.test(v);
      }),
    );
    assert.equal(odd.length, 200);
    const noDisplay = users.filter((u) => u.personalInformationProperties?.displayName === undefined);
    assert.equal(noDisplay.length, 50);
    assert.ok(noDisplay.every((u) => u.configurationId.displayName === u.configurationId.id));
    const unicode = users.filter((u) =>
      /[\u0080-\uffff]/.test(
        `${u.personalInformationProperties?.givenName}${u.personalInformationProperties?.surname}`,
      ),
    );
    assert.equal(unicode.length, 150);
    assert.ok(
      unicode.some((u) => /[\u0080-\uffff]/.test(u.configurationId.id)),
      'some unicode names reach the id',
    );
  });

  it('uses the documented odd phone formats and unicode names', () => {
    const users = generateDirectory({ count: 3000, seed: 5 });
    const phones = new Set(
      users.flatMap((u) => phoneKeys.map((k) => u.personalInformationProperties?.[k]).filter(Boolean)),
    );
    for (const odd of ['(317) 555-0100', '317.555.0101 x23', '+44 20 7946 0958', '555-0102', 'garbage-abc'])
      assert.ok(phones.has(odd), odd);
    const names = users.map(
      (u) => `${u.personalInformationProperties?.givenName} ${u.personalInformationProperties?.surname}`,
    );
    assert.ok(names.some((n) => n.includes('ß')));
    assert.ok(names.some((n) => /[\u3040-\u9fff]/.test(n)));
    assert.ok(
      users.every((u) => /^\d{8}T\d{6}Z$/.test(u.lastModifiedDate) && u.createdDate <= u.lastModifiedDate),
    );
  });

  it('generates 100,000 users in a few seconds', () => {
    const started = performance.now();
    const users = generateDirectory({ count: 100_000, seed: 42 });
    const ms = performance.now() - started;
    assert.equal(users.length, 100_000);
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms`);
    console.log(`# generated 100,000 users in ${Math.round(ms)} ms`);
  });
});
