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
  '*.pairClientSecret',
  '*.pairCicPassword',
  'clientSecretSealed',
  'cicPasswordSealed',
  '*.clientSecretSealed',
  '*.cicPasswordSealed',
];

let root: Logger | undefined;
let level = 'info';

/** Set once at the process entry, from the validated config, before the first logger is made. */
export function configureLogging(opts: { level: string }): void {
  level = opts.level;
  if (root) root.level = level;
}

function rootLogger(): Logger {
  root ??= pino({
    level,
    base: { service: 'cloud-bridge' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}

/** One logger per subsystem (`worker`, `stack`, `scim-client`, ...), all sharing the redaction rules. */
export function createLogger(subsystem: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ subsystem, ...bindings });
}

export type { Logger };
