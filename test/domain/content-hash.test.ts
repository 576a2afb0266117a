import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../domain/canonical-json';
import { contentHash } from '../../domain/content-hash';
import type { DesiredScimUser } from '../../domain/user-mapping';

const user: DesiredScimUser = {
  externalId: 'jdoe',
  userName: 'jane@example.com',
  displayName: 'Jane Doe',
  emails: [{ type: 'work', value: 'jane@example.com', primary: true }],
  phoneNumbers: [{ type: 'work', value: '+13175550100' }],
  active: true,
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }),
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined members', () => {
    assert.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
  });
});

describe('contentHash', () => {
  it('is sha256 hex and stable across key order', () => {
    const reversed = Object.fromEntries(Object.entries(user).reverse()) as unknown as DesiredScimUser;
    assert.notEqual(JSON.stringify(reversed), JSON.stringify(user));
    assert.match(contentHash(user), /^[0-9a-f]{64}$/);
    assert.equal(contentHash(reversed), contentHash(user));
  });

  it('changes when any synced value changes, including phone order and unicode', () => {
    const base = contentHash(user);
    assert.notEqual(contentHash({ ...user, displayName: 'Jane Döe' }), base);
    assert.notEqual(contentHash({ ...user, phoneNumbers: [] }), base);
    assert.notEqual(contentHash({ ...user, userName: 'Jane@example.com' }), base);
  });

  it('is a known value (guards against accidental format changes)', () => {
    assert.equal(contentHash(user), '077ba8a464b0df0e02062bd01a75c619914bddaf5e53be904e369e89c737f096');
  });
});
