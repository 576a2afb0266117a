import type { Db } from '../db/database';
import { listIdpKeys, type StoredIdpKey } from '../db/idp-keys';
import { SecretBox } from '../lib/secrets';
import { signingKey, type SigningKey } from './assertion';

/**
 * The keys as the HTTP server and the activities use them, re-read from PostgreSQL every couple of seconds
 * so a switch made by another process takes effect everywhere; private keys are opened in memory only.
 */
export interface Keyring {
  signingKey(): Promise<SigningKey & { id: string }>;
  /** Certificates to publish and register: current, next and previous. */
  published(): Promise<StoredIdpKey[]>;
}

/** Raised when the bridge has no signing key (not paired yet). */
export class NoSigningKeyError extends Error {
  override name = 'NoSigningKeyError';
}

export function createKeyring(deps: { db: Db; secretKey: string | undefined; ttlMs?: number }): Keyring {
  let cached: { at: number; keys: StoredIdpKey[] } | undefined;
  const opened = new Map<string, SigningKey>();
  async function keys() {
    if (cached && Date.now() - cached.at < (deps.ttlMs ?? 2000)) return cached.keys;
    cached = { at: Date.now(), keys: await listIdpKeys(deps.db) };
    return cached.keys;
  }
  return {
    async signingKey() {
      const current = (await keys()).find((k) => k.status === 'current');
      if (!current) throw new NoSigningKeyError('the bridge has no IdP signing key: pair it first (bridge pair)');
      let key = opened.get(current.id);
      if (!key) {
        key = signingKey(new SecretBox(deps.secretKey).open(current.privateKeySealed), current.certificatePem);
        opened.clear();
        opened.set(current.id, key);
      }
      return { id: current.id, ...key };
    },
    published: keys,
  };
}
