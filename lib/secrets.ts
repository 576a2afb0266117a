import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Raised when a stored secret cannot be decrypted: wrong BRIDGE_SECRET_KEY, or a tampered value. */
export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * Secrets at rest (OAuth client secret, PureCloudAdmin password) are AES-256-GCM encrypted with a key from
 * the environment, so the database never holds them in clear; the auth tag makes tampering detectable.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string | undefined) {
    if (!secretKey) throw new SecretError('BRIDGE_SECRET_KEY is required to store or read secrets');
    this.key = createHash('sha256').update(secretKey, 'utf8').digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || ct === undefined) throw new SecretError('stored secret has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretError('stored secret cannot be decrypted with this BRIDGE_SECRET_KEY');
    }
  }
}
