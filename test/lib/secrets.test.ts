import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { SecretBox, SecretError, derivedKey, keyId } from '../../lib/secrets';
import { sealV1 } from '../support/sealed-v1';

const OLD = randomBytes(24).toString('hex');
const NEW = randomBytes(32).toString('hex');
const PASSPHRASE = 'correct horse battery staple, and then some more words';

test('a sealed value is v2 with the key id, opens with that key, and its key is not a bare SHA-256 of the material', () => {
  for (const material of [NEW, PASSPHRASE, `base64:${randomBytes(32).toString('base64')}`]) {
    const box = new SecretBox(material, []);
    const sealed = box.seal('s3cret-value');
    assert.match(sealed, new RegExp(`^v2:${keyId(material)}:[^:]+:[^:]+:[^:]+$`));
    assert.equal(box.open(sealed), 's3cret-value');
    assert.notDeepEqual(derivedKey(material, 'sealed secrets v2'), createHash('sha256').update(material).digest());
    assert.ok(!sealed.includes(material.slice(0, 16)));
  }
  assert.notEqual(keyId(NEW), keyId(OLD));
  assert.notDeepEqual(derivedKey(NEW, 'sealed secrets v2'), derivedKey(NEW, 'temporal payload codec v1'), 'each use has its own key');
});

test('old v1 values still open; values of the previous key open with it and only while it is given', () => {
  const v1 = sealV1(OLD, 'legacy-secret');
  const underOld = new SecretBox(OLD, []).seal('old-key-secret');
  const rotating = new SecretBox(NEW, [OLD]);
  assert.equal(new SecretBox(OLD, []).open(v1), 'legacy-secret', 'v1 opens with its own key');
  assert.equal(rotating.open(v1), 'legacy-secret', 'v1 opens with the previous key during a rotation');
  assert.equal(rotating.open(underOld), 'old-key-secret');
  assert.equal(rotating.isCurrent(underOld), false);
  assert.equal(rotating.isCurrent(rotating.seal('x')), true);
  const newOnly = new SecretBox(NEW, []);
  assert.throws(() => newOnly.open(underOld), (e: unknown) => e instanceof SecretError && e.message.includes(keyId(OLD)) && e.message.includes('BRIDGE_SECRET_KEY_PREVIOUS'));
  assert.throws(() => newOnly.open(v1), SecretError);
});

test('a tampered value or key id is refused', () => {
  const box = new SecretBox(NEW, [OLD]);
  const [v, kid, iv, tag, ct] = box.seal('tamper-me').split(':');
  const flipped = Buffer.from(ct, 'base64');
  flipped[0] ^= 1;
  assert.throws(() => box.open([v, kid, iv, tag, flipped.toString('base64')].join(':')), SecretError);
  // The key id is bound to the value: moving it to another key's id does not decrypt.
  assert.throws(() => box.open([v, keyId(OLD), iv, tag, ct].join(':')), SecretError);
  assert.throws(() => box.open('v9:abc'), /unknown format/);
  assert.throws(() => new SecretBox(undefined), /BRIDGE_SECRET_KEY is required/);
});
