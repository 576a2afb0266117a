import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, PayloadDecryptionError, decodePayloadsIn } from '../../lib/payload-codec';
import { keyId } from '../../lib/secrets';

const OLD = randomBytes(24).toString('hex');
const NEW = randomBytes(24).toString('hex');
const personal = { cicUserId: 'planted.user.77', error: 'email planted.user.77@example.com is taken' };

test('a payload is encrypted whole (metadata included), carries the key id, and decodes back exactly', async () => {
  const codec = new EncryptionCodec(NEW);
  const plain = defaultPayloadConverter.toPayload(personal);
  const [enc] = await codec.encode([plain]);
  assert.equal(Buffer.from(enc.metadata!.encoding!).toString(), 'binary/encrypted');
  assert.equal(Buffer.from(enc.metadata!['encryption-key-id']!).toString(), keyId(NEW));
  const visible = Buffer.concat([Buffer.from(enc.data!), ...Object.values(enc.metadata!).map((v) => Buffer.from(v!))]).toString('latin1');
  assert.ok(!visible.includes('planted.user.77') && !visible.includes('json/plain'), 'nothing of the payload shows');
  const [dec] = await codec.decode([enc]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(dec), personal);
  const [again] = await codec.encode([plain]);
  assert.notDeepEqual(Buffer.from(again.data!), Buffer.from(enc.data!), 'a fresh IV each time');
});

test('after a key rotation old payloads open with the previous key, and only with it; tampering is refused; plain payloads pass', async () => {
  const [old] = await new EncryptionCodec(OLD).encode([defaultPayloadConverter.toPayload(personal)]);
  const rotated = new EncryptionCodec(NEW, [OLD]);
  assert.deepEqual(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0]), personal);
  await assert.rejects(new EncryptionCodec(NEW).decode([old]), (e: unknown) => e instanceof PayloadDecryptionError && e.message.includes(keyId(OLD)));
  const tampered = { ...old, data: Buffer.from(old.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
  await assert.rejects(rotated.decode([tampered]), /cannot be decrypted/);
  const plain = defaultPayloadConverter.toPayload('recorded before encryption');
  assert.deepEqual(await rotated.decode([plain]), [plain]);
});

test('decodePayloadsIn decrypts every payload nested in a history-shaped value', async () => {
  const codec = new EncryptionCodec(NEW);
  const [a, b] = await codec.encode([defaultPayloadConverter.toPayload('first-7f'), defaultPayloadConverter.toPayload({ id: 'second-7f' })]);
  const history = { events: [{ eventId: 1, input: { payloads: [a] } }, { eventId: 2, signal: { input: { payloads: [b] } } }] };
  const decoded = await decodePayloadsIn(history, codec);
  assert.equal(defaultPayloadConverter.fromPayload(decoded.events[0].input!.payloads[0]), 'first-7f');
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded.events[1].signal!.input.payloads[0]), { id: 'second-7f' });
  assert.equal(decoded.events[1].eventId, 2);
});
