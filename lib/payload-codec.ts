import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { derivedKey, keyId, splitKeys } from './secrets';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CODEC_LABEL = 'temporal payload codec v1';

/** Raised when a payload cannot be decrypted: sealed with a key we do not have, or tampered with. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Encrypts every Temporal payload (workflow and activity inputs and results, signals, queries, memos,
 * failure details) with AES-256-GCM before it leaves the process, so the Temporal server and its history
 * hold no personal data (CIC user ids, emails in Genesys error texts). The key is derived from
 * BRIDGE_SECRET_KEY with its own HKDF label; the key id travels in the payload metadata, so payloads sealed
 * before a key rotation still open with BRIDGE_SECRET_KEY_PREVIOUS. The whole payload (its metadata too,
 * which names the encoding) is encrypted: `data` = IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes), with the
 * key id as associated data. Payloads that are not ours to open (plain ones written before encryption was
 * on, e.g. recorded histories) pass through unchanged.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly kid: string;
  private readonly key: Buffer;
  private readonly keys = new Map<string, Buffer>();

  constructor(secretKey: string, previous: string | readonly string[] = []) {
    this.kid = keyId(secretKey);
    this.key = derivedKey(secretKey, CODEC_LABEL);
    for (const k of [secretKey, ...splitKeys(previous)]) if (!this.keys.has(keyId(k))) this.keys.set(keyId(k), derivedKey(k, CODEC_LABEL));
  }

  get keyId(): string {
    return this.kid;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      cipher.setAAD(utf8(this.kid));
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.kid) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const kid = text(p.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.keys.get(kid);
      if (!key) {
        throw new PayloadDecryptionError(
          `payload encrypted with key ${kid || '(none)'}, which is neither BRIDGE_SECRET_KEY (${this.kid}) nor in BRIDGE_SECRET_KEY_PREVIOUS`,
        );
      }
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < 28) throw new PayloadDecryptionError('encrypted payload is too short');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
        decipher.setAAD(utf8(kid));
        decipher.setAuthTag(data.subarray(data.length - 16));
        const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain) as Payload;
      } catch {
        throw new PayloadDecryptionError(`payload encrypted with key ${kid} cannot be decrypted (tampered?)`);
      }
    });
  }
}

/** The codec for this config, or none without BRIDGE_SECRET_KEY (nothing can be sealed then, and pairing refuses). */
export function payloadCodecFor(config: { secretKey?: string; secretKeyPrevious?: string }): EncryptionCodec | undefined {
  return config.secretKey ? new EncryptionCodec(config.secretKey, splitKeys(config.secretKeyPrevious)) : undefined;
}

/** The data converter every Client, Worker and replay of this bridge uses: payloads encrypted by the codec. */
export function dataConverterFor(config: { secretKey?: string; secretKeyPrevious?: string }): DataConverter {
  const codec = payloadCodecFor(config);
  return codec ? { payloadCodecs: [codec] } : {};
}

/**
 * A copy of a history (or any proto-shaped value) with every payload decoded by `codec`: how a test proves
 * what the history holds in clear, and how recorded histories are saved keyless (replay needs no key).
 */
export async function decodePayloadsIn<T>(value: T, codec: PayloadCodec): Promise<T> {
  const walk = async (node: unknown): Promise<unknown> => {
    if (node instanceof Uint8Array || node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return Promise.all(node.map(walk));
    const o = node as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'data' in o && (o.data instanceof Uint8Array || o.data === null || o.data === undefined)) {
      const [decoded] = await codec.decode([o as Payload]);
      return decoded;
    }
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(o));
    for (const [k, v] of Object.entries(o)) out[k] = await walk(v);
    return out;
  };
  return (await walk(value)) as T;
}
