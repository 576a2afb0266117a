import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';

/**
 * A minimal DER writer for one thing: a self-signed X.509 v3 certificate (sha256WithRSAEncryption, no
 * extensions) around an RSA key, so the bridge (at pairing), tests and the demo can make IdP signing credentials without openssl.
 */

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer) =>
  Buffer.concat([Buffer.from([tag]), len(content.length), content]);
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const nul = () => Buffer.from([0x05, 0x00]);

function int(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && !(b[1] & 0x80)) b = b.subarray(1);
  return tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let v = p;
    do {
      chunk.unshift(v & 0x7f);
      v >>= 7;
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn, 'utf8')))));

export interface SelfSignedOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
}

/** Wraps an existing RSA private key (PEM) in a self-signed certificate; returns the certificate PEM. */
export function selfSignedCertificate(privateKeyPem: string, opts: SelfSignedOptions = {}): string {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const alg = seq(oid('1.2.840.113549.1.1.11'), nul());
  const subject = name(opts.commonName ?? 'cloud-bridge test IdP');
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(randomBytes(16)),
    alg,
    subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  const pem = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(pem);
  return pem;
}

export interface SigningCredentials {
  privateKeyPem: string;
  certificatePem: string;
}

/** A fresh RSA key (2048 bits by default) and its self-signed certificate. */
export function createSigningCredentials(
  opts: SelfSignedOptions & { modulusLength?: number } = {},
): SigningCredentials {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: opts.modulusLength ?? 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { privateKeyPem, certificatePem: selfSignedCertificate(privateKeyPem, opts) };
}
