import pino, { type Logger } from 'pino';

/**
 * Paths whose values never reach a log line: client secrets, tokens, CIC passwords, signing keys,
 * and the credentials a URL may carry.
 */
export const redactedPaths = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'cookie',
  '*.cookie',
  'csrfToken',
  '*.csrfToken',
  'privateKey',
  '*.privateKey',
  'secretKey',
  '*.secretKey',
  'databaseUrl',
  '*.databaseUrl',
  'pairClientSecret',
  'pairCicPassword',
  'healthToken',
  '*.healthToken',
  '*.pairClientSecret',
  '*.pairCicPassword',
  'clientSecretSealed',
  'cicPasswordSealed',
  '*.clientSecretSealed',
  '*.cicPasswordSealed',
];

let root: Logger | undefined;
let level = 'info';
const taps = new Set<(line: string) => void>();

/**
 * Also hands every log line to `fn` (until the returned function is called): how tests search what was
 * really logged for secrets. pino writes to the file descriptor directly, so stdout cannot be tapped instead.
 */
export function tapLogs(fn: (line: string) => void): () => void {
  taps.add(fn);
  return () => taps.delete(fn);
}

/** Set once at the process entry, from the validated config, before the first logger is made. */
export function configureLogging(opts: { level: string }): void {
  level = opts.level;
  if (root) root.level = level;
}

function rootLogger(): Logger {
  if (root) return root;
  const out = pino.destination(1);
  root = pino(
    {
      level,
      base: { service: 'cloud-bridge' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    {
      write(line: string) {
        out.write(line);
        for (const tap of taps) tap(line);
      },
    },
  );
  return root;
}

/** One logger per subsystem (`worker`, `stack`, `scim-client`, ...), all sharing the redaction rules. */
export function createLogger(subsystem: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ subsystem, ...bindings });
}

export type { Logger };
