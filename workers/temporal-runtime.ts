import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { createLogger } from '../lib/logger';

let installed = false;

/**
 * Routes the Temporal SDK's own logs (worker state, workflow and activity loggers) into our pino logger,
 * once per process; must run before the first worker is created.
 */
export function installTemporalRuntime(level: string): void {
  if (installed) return;
  installed = true;
  const log = createLogger('temporal');
  const sdkLevel: LogLevel = level === 'debug' || level === 'trace' ? 'DEBUG' : level === 'info' ? 'INFO' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry) => {
      const attrs = { ...entry.meta };
      const fn = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      log[fn](attrs, entry.message);
    }),
  });
}
