/**
 * What the logger hides, at any depth: values under a secret-looking key (in nested objects, arrays, an
 * Error's own properties and its `cause` chain), and known secret values wherever they appear in a line,
 * e.g. a password quoted inside an error message. pino's own `redact` takes fixed paths only (`a.b`, `*.b`),
 * so `{ err: { cause: { config: { password } } } }` got through it.
 */
export const CENSOR = '[redacted]';

/** Key names (compared without case, `-` and `_`) whose values never reach a log line. */
const secretKeyNames = new Set(
  [
    'password',
    'passwd',
    'secret',
    'clientSecret',
    'token',
    'accessToken',
    'refreshToken',
    'idToken',
    'authToken',
    'authTokenSeed',
    'authorization',
    'proxyAuthorization',
    'cookie',
    'setCookie',
    'csrfToken',
    'privateKey',
    'privateKeyPem',
    'secretKey',
    'secretKeyPrevious',
    'databaseUrl',
    'pairClientSecret',
    'pairCicPassword',
    'codecAccessToken',
    'healthToken',
  ].map((k) => k.toLowerCase()),
);

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** True for a key whose value is a secret: the names above, and any sealed column (`…Sealed`, `…_enc`). */
export function isSecretKey(key: string): boolean {
  const k = normalise(key);
  return secretKeyNames.has(k) || k.endsWith('sealed') || key.toLowerCase().endsWith('_enc');
}

const MIN_SECRET_LENGTH = 6;
const MAX_KNOWN = 200;
const known = new Map<string, string[]>();

/**
 * Remembers a secret value (an opened client secret or password, a key) so it is scrubbed from every later
 * log line, wherever it appears: in a message, an error text, a URL. Very short values are not taken, since
 * scrubbing them would blank ordinary words.
 */
export function registerSecretValue(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET_LENGTH || known.has(value)) return;
  if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
  // As it stands, and as it shows inside JSON text (quotes, backslashes, newlines escaped).
  const forms = [...new Set([value, JSON.stringify(value).slice(1, -1)])];
  known.set(value, forms);
}

/** A text with every known secret value, and the password of any URL in it, replaced by the censor. */
export function scrubKnownSecrets(text: string): string {
  let out = text.includes('://') ? text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)[^\s@/"']+@/gi, `$1${CENSOR}@`) : text;
  for (const forms of known.values()) for (const f of forms) if (out.includes(f)) out = out.split(f).join(CENSOR);
  return out;
}

const MAX_DEPTH = 12;
const MAX_NODES = 5000;

/**
 * A copy of `value` safe to log: secret keys censored at any depth, Errors turned into plain objects
 * (`type`, `message`, `stack`, own properties, `cause`) with the same rules applied inside them, strings
 * scrubbed of known secrets, cycles cut.
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>(), budget = { nodes: MAX_NODES }): unknown {
  if (typeof value === 'string') return scrubKnownSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  // Each object is walked once (a shared or circular one shows as '[seen]') and a line walks a bounded
  // number of them, so logging something with a large object graph (a socket, a client) stays linear.
  if (seen.has(value)) return '[seen]';
  if (depth > MAX_DEPTH || --budget.nodes < 0) return '[too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen, budget));
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.constructor?.name ?? value.name, message: scrubKnownSecrets(value.message) };
    if (value.stack) out.stack = scrubKnownSecrets(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? CENSOR : redactDeep(v, depth + 1, seen, budget);
    if (value.cause !== undefined) out.cause = redactDeep(value.cause, depth + 1, seen, budget);
    if (value instanceof AggregateError) out.errors = redactDeep(value.errors, depth + 1, seen, budget);
    return out;
  }
  if (value instanceof Date) return value;
  if (value instanceof URL) return scrubKnownSecrets(value.href);
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof Map) return redactDeep(Object.fromEntries(value), depth, seen, budget);
  if (value instanceof Set) return redactDeep([...value], depth, seen, budget);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redactDeep((value as { toJSON(): unknown }).toJSON(), depth + 1, seen, budget);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined && v !== null ? CENSOR : redactDeep(v, depth + 1, seen, budget);
  return out;
}
