import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** A value as the code before key ids sealed it (`v1:`): AES-256-GCM under a bare SHA-256 of the key material. */
export function sealV1(material: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(material, 'utf8').digest(), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
}
