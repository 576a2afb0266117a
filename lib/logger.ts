import pino, { type Logger } from 'pino';
import { redactDeep, scrubKnownSecrets } from './redact';

export { registerSecretValue } from './redact';

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
      // Secrets are hidden by key at any depth (errors and their causes included) and by known value
      // (lib/redact.ts); the line itself is scrubbed once more below, which covers the message text.
      formatters: {
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
      // Errors are already plain objects by then (type, message, stack, cause); pino's serializer would retype them.
      serializers: { err: (e: unknown) => e },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    {
      write(raw: string) {
        const line = scrubKnownSecrets(raw);
        out.write(line);
        for (const tap of taps) tap(line);
      },
    },
  );
  // pino applies no formatter to a child's bindings: every child, at any depth, goes through this one.
  type ChildFn = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const parentChild = root.child as unknown as ChildFn;
  root.child = function redactedChild(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    return parentChild.call(this, redactDeep(bindings) as pino.Bindings, options);
  } as unknown as Logger['child'];
  return root;
}

/** One logger per subsystem (`worker`, `stack`, `scim-client`, ...), all sharing the redaction rules. */
export function createLogger(subsystem: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ subsystem, ...bindings });
}

export type { Logger };
