import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPairing,
  genesysUrls,
  regions,
  resolveRegion,
  validateShortName,
} from '../../domain/pairing-rules';

describe('validateShortName', () => {
  it('accepts DNS labels and keeps case', () => {
    for (const name of ['acme', 'Acme-Corp2', 'a', '9lives', 'x'.repeat(63)]) {
      assert.deepEqual(validateShortName(name), { ok: true, value: name });
    }
    assert.deepEqual(validateShortName('  acme \n'), { ok: true, value: 'acme' });
  });

  it('rejects with a message naming the problem', () => {
    const reason = (s: string) => {
      const r = validateShortName(s);
      assert.equal(r.ok, false, s);
      return r.ok ? '' : r.reason;
    };
    assert.match(reason(''), /is empty/);
    assert.match(reason('x'.repeat(64)), /64 characters long; the limit is 63/);
    assert.equal(
      reason('my org'),
      "Organization short name 'my org' contains ' ' at position 3; only letters (a-z, A-Z), digits (0-9) and dashes are allowed",
    );
    assert.match(reason('acme_corp'), /contains '_' at position 5/);
    assert.match(reason('acme.com'), /contains '\.'/);
    assert.match(reason('café'), /contains 'é'/);
    assert.match(reason('-acme'), /must not start or end with a dash/);
    assert.match(reason('acme-'), /must not start or end with a dash/);
  });
});

describe('resolveRegion', () => {
  it('accepts a region domain or an AWS region, in any case', () => {
    assert.deepEqual(resolveRegion('mypurecloud.ie'), {
      ok: true,
      value: { awsRegion: 'eu-west-1', name: 'EMEA (Ireland/Dublin)', domain: 'mypurecloud.ie' },
    });
    const byAws = resolveRegion(' EU-WEST-1 ');
    assert.ok(byAws.ok && byAws.value.domain === 'mypurecloud.ie');
    const au = resolveRegion('ap-southeast-2');
    assert.ok(au.ok && au.value.domain === 'mypurecloud.com.au');
  });

  it('accepts a pasted host URL', () => {
    for (const input of [
      'https://login.mypurecloud.de/',
      'api.usw2.pure.cloud',
      'https://apps.mypurecloud.jp/directory',
    ]) {
      assert.equal(resolveRegion(input).ok, true, input);
    }
  });

  it('lists the valid choices when the region is unknown', () => {
    const r = resolveRegion('mypurecloud.fr');
    assert.ok(!r.ok);
    assert.match(r.reason, /^Unknown Genesys Cloud region 'mypurecloud.fr'\. Use one of: /);
    for (const region of regions) {
      assert.ok(r.reason.includes(region.domain) && r.reason.includes(region.awsRegion));
    }
    assert.equal(resolveRegion('').ok, false);
    assert.equal(resolveRegion('euw1.pure.cloud').ok, false, 'unofficial aliases are not accepted');
  });

  it('has the 17 regions of reference §3 with unique keys', () => {
    assert.equal(regions.length, 17);
    assert.equal(new Set(regions.map((r) => r.domain)).size, 17);
    assert.equal(new Set(regions.map((r) => r.awsRegion)).size, 17);
  });
});

describe('genesysUrls', () => {
  it('derives the API, login and SAML ACS hosts', () => {
    assert.deepEqual(genesysUrls('mypurecloud.ie'), {
      api: 'https://api.mypurecloud.ie',
      login: 'https://login.mypurecloud.ie',
      acs: 'https://login.mypurecloud.ie/saml',
    });
  });
});

describe('checkPairing', () => {
  const acme = { orgShortName: 'acme', regionDomain: 'mypurecloud.ie' };

  it('allows the first pairing and re-confirming the same one', () => {
    assert.deepEqual(checkPairing(null, acme), { ok: true, value: acme });
    assert.deepEqual(checkPairing(acme, { orgShortName: 'ACME', regionDomain: 'mypurecloud.ie' }), {
      ok: true,
      value: acme,
    });
  });

  it('refuses a second, different pairing', () => {
    for (const other of [
      { orgShortName: 'globex', regionDomain: 'mypurecloud.ie' },
      { orgShortName: 'acme', regionDomain: 'mypurecloud.de' },
    ]) {
      const r = checkPairing(acme, other);
      assert.ok(!r.ok);
      assert.match(r.reason, /already paired with organization 'acme' \(mypurecloud\.ie\).*refused/);
    }
  });
});
