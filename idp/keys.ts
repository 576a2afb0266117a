import { createPrivateKey, createPublicKey, randomUUID, X509Certificate } from 'node:crypto';
import type { Db } from '../db/database';
import { insertIdpKey, listIdpKeys, type StoredIdpKey } from '../db/idp-keys';
import { SecretBox } from '../lib/secrets';
import { createSigningCredentials } from '../lib/x509-self-signed';

/** Raised when an imported key or certificate is unusable; the message says why. */
export class IdpKeyError extends Error {
  override name = 'IdpKeyError';
}

const CERT_LIFETIME_DAYS = 730;

export interface KeyMaterial {
  privateKeyPem: string;
  certificatePem: string;
}

/** Checks that an imported pair is an RSA key of at least 2048 bits and a current certificate for it. */
export function checkKeyMaterial(m: KeyMaterial): { notAfter: Date } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(m.certificatePem);
  } catch {
    throw new IdpKeyError('the certificate is not a PEM X.509 certificate');
  }
  let key;
  try {
    key = createPrivateKey(m.privateKeyPem);
  } catch {
    throw new IdpKeyError('the private key is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new IdpKeyError('the key must be RSA with at least 2048 bits (assertions are signed with RSA-SHA256)');
  }
  const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!cert.publicKey.export({ type: 'spki', format: 'der' }).equals(pub)) {
    throw new IdpKeyError('the certificate does not belong to this private key');
  }
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= Date.now()) throw new IdpKeyError(`the certificate expired on ${notAfter.toISOString()}`);
  return { notAfter };
}

function freshKeyMaterial(orgShortName: string): KeyMaterial {
  return createSigningCredentials({
    commonName: `cloud-bridge IdP for ${orgShortName}`,
    notAfter: new Date(Date.now() + CERT_LIFETIME_DAYS * 86_400_000),
  });
}

async function store(db: Db, secretKey: string | undefined, status: 'current' | 'next', m: KeyMaterial): Promise<string> {
  const { notAfter } = checkKeyMaterial(m);
  const id = randomUUID();
  await insertIdpKey(db, { id, status, certificatePem: m.certificatePem, privateKeySealed: new SecretBox(secretKey).seal(m.privateKeyPem), notAfter });
  return id;
}

/** At pairing: makes the signing key unless one is already current (a re-pairing keeps its key). */
export async function ensureSigningKey(db: Db, secretKey: string | undefined, orgShortName: string): Promise<void> {
  if ((await listIdpKeys(db)).some((k) => k.status === 'current')) return;
  await store(db, secretKey, 'current', freshKeyMaterial(orgShortName));
}

/**
 * The first half of a rotation (or an import): stores the next key beside the current one. It signs nothing
 * until the account-linking workflow has registered both certificates with the org and switched.
 */
export async function stageNextKey(db: Db, secretKey: string | undefined, orgShortName: string, imported?: KeyMaterial): Promise<string> {
  const keys = await listIdpKeys(db);
  if (keys.some((k) => k.status === 'next')) throw new IdpKeyError('a rotation is already under way: wait for it to finish (bridge idp status)');
  if (!keys.some((k) => k.status === 'current')) return store(db, secretKey, 'current', imported ?? freshKeyMaterial(orgShortName));
  return store(db, secretKey, 'next', imported ?? freshKeyMaterial(orgShortName));
}

export function describeKey(k: StoredIdpKey) {
  const cert = new X509Certificate(k.certificatePem);
  return { id: k.id, status: k.status, fingerprint256: cert.fingerprint256, notAfter: k.notAfter.toISOString(), daysLeft: Math.floor((k.notAfter.getTime() - Date.now()) / 86_400_000), activatedAt: k.activatedAt?.toISOString() ?? null };
}
