import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import { registerSecretValue } from './redact';

/** Raised when a stored secret cannot be decrypted: wrong BRIDGE_SECRET_KEY, or a tampered value. */
export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * The key material of `BRIDGE_SECRET_KEY` becomes a root key once, and every use gets its own key from it
 * by HKDF with its own label (sealed columns, Temporal payloads, key ids), so one use never reveals another.
 * Random key material (hex of 16 bytes or more, or `base64:` + 16 bytes or more) goes into HKDF as it is;
 * anything else is a passphrase and is stretched with scrypt first, since a guessable phrase must cost a
 * brute-force attacker more than one hash per guess.
 */
const roots = new Map<string, Buffer>();
const SCRYPT_SALT = 'cloud-bridge BRIDGE_SECRET_KEY v2';

export function rootKey(material: string): Buffer {
  let root = roots.get(material);
  if (root) return root;
  const hex = /^(?:[0-9a-f]{2}){16,}$/i.test(material) ? Buffer.from(material, 'hex') : undefined;
  const b64 = material.startsWith('base64:') ? Buffer.from(material.slice(7), 'base64') : undefined;
  if (b64 && b64.length < 16) throw new SecretError('BRIDGE_SECRET_KEY: a base64: key must hold at least 16 bytes');
  const ikm = hex ?? b64;
  root = ikm
    ? Buffer.from(hkdfSync('sha256', ikm, 'cloud-bridge', 'root key', 32))
    : scryptSync(material.normalize('NFC'), SCRYPT_SALT, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  roots.set(material, root);
  registerSecretValue(material);
  return root;
}

/** A 32-byte key for one purpose (`label`), derived from the key material. */
export function derivedKey(material: string, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', rootKey(material), '', `cloud-bridge ${label}`, 32));
}

/** A short public name of the key material (16 hex digits), stored beside what it encrypted; reveals nothing of the key. */
export function keyId(material: string): string {
  return derivedKey(material, 'key id').subarray(0, 8).toString('hex');
}

let configuredPrevious: readonly string[] = [];

/**
 * Set once at the process entry from the config: earlier keys (`BRIDGE_SECRET_KEY_PREVIOUS`) that can still
 * open what they sealed, during a rotation, until `bridge secrets rotate` has re-sealed it with the new key.
 */
export function configureSecretKeys(opts: { previous?: string | readonly string[] }): void {
  configuredPrevious = splitKeys(opts.previous);
  for (const k of configuredPrevious) rootKey(k);
}

/** Several keys in one setting are separated by commas or whitespace (a key holds neither). */
export function splitKeys(v: string | readonly string[] | undefined): string[] {
  if (!v) return [];
  return (typeof v === 'string' ? v.split(/[\s,]+/) : [...v]).filter(Boolean);
}

const SEAL_LABEL = 'sealed secrets v2';

/**
 * Secrets at rest (OAuth client secret, PureCloudAdmin password, IdP signing key) are AES-256-GCM encrypted,
 * so the database never holds them in clear; the auth tag makes tampering detectable. A value is
 * `v2:<key id>:<iv>:<tag>:<ciphertext>` (base64), the version and key id bound to it as associated data; it
 * opens with whichever of the current and previous keys has that id. `v1:` values (key = bare SHA-256 of the
 * key material, before key ids) still open, with any of those keys, until they are re-sealed.
 */
export class SecretBox {
  private readonly current: string;
  private readonly byId = new Map<string, string>();
  private readonly all: string[];

  constructor(secretKey: string | undefined, previous: string | readonly string[] = configuredPrevious) {
    if (!secretKey) throw new SecretError('BRIDGE_SECRET_KEY is required to store or read secrets');
    this.current = secretKey;
    this.all = [secretKey, ...splitKeys(previous).filter((k) => k !== secretKey)];
    for (const k of this.all) if (!this.byId.has(keyId(k))) this.byId.set(keyId(k), k);
  }

  /** The id of the key that seals. */
  get keyId(): string {
    return keyId(this.current);
  }

  seal(plain: string): string {
    const kid = keyId(this.current);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', derivedKey(this.current, SEAL_LABEL), iv);
    cipher.setAAD(Buffer.from(`v2:${kid}`));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', kid, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const plain = this.openUnregistered(sealed);
    registerSecretValue(plain);
    return plain;
  }

  /** True when `sealed` is already sealed the current way with the current key (nothing for a rotation to do). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2:${keyId(this.current)}:`);
  }

  private openUnregistered(sealed: string): string {
    const parts = sealed.split(':');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, kid, iv, tag, ct] = parts;
      const material = this.byId.get(kid);
      if (!material) {
        throw new SecretError(
          `stored secret was sealed with key ${kid}, which is neither BRIDGE_SECRET_KEY (${this.keyId}) nor in BRIDGE_SECRET_KEY_PREVIOUS`,
        );
      }
      const opened = decrypt(derivedKey(material, SEAL_LABEL), iv, tag, ct, Buffer.from(`v2:${kid}`));
      if (opened === undefined) throw new SecretError(`stored secret sealed with key ${kid} cannot be decrypted (tampered?)`);
      return opened;
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, ct] = parts;
      for (const material of this.all) {
        const opened = decrypt(createHash('sha256').update(material, 'utf8').digest(), iv, tag, ct);
        if (opened !== undefined) return opened;
      }
      throw new SecretError('stored secret cannot be decrypted with this BRIDGE_SECRET_KEY (nor any previous key)');
    }
    throw new SecretError('stored secret has an unknown format');
  }
}

function decrypt(key: Buffer, iv: string, tag: string, ct: string, aad?: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
