import type { Config } from '../lib/config';
import type { Stack } from '../stack';
import { removeStateFile, resolveDataDir, stateFilePath, withoutCredentials, writeStateFile } from '../stack/state-file';

/**
 * While the demo holds, its state file (`demo.json` in the data directory, beside `npm start`'s) lets
 * `bridge` commands in other shells find its throw-away services. Returns the cleanup that removes it.
 */
export function announceDemo(config: Config, stack: Stack, httpPort: number | undefined): () => Promise<void> {
  const dataDir = resolveDataDir(process.env);
  const file = stateFilePath(dataDir, 'demo');
  writeStateFile(file, {
    kind: 'demo',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    dataDir,
    env: {
      DATABASE_URL: withoutCredentials(config.databaseUrl).url,
      REDIS_URL: withoutCredentials(config.redisUrl).url,
      TEMPORAL_ADDRESS: config.temporalAddress,
      DATABASE_SCHEMA: config.databaseSchema,
      TEMPORAL_NAMESPACE: config.temporalNamespace,
      TEMPORAL_TASK_QUEUE: config.taskQueue,
      BRIDGE_QUEUE_PREFIX: config.queuePrefix,
    },
    started: stack.started,
    credentialsRemoved: (['DATABASE_URL', 'REDIS_URL'] as const).filter((k) =>
      withoutCredentials(k === 'DATABASE_URL' ? config.databaseUrl : config.redisUrl).removed,
    ),
    ...(httpPort && { http: { port: httpPort, url: `http://127.0.0.1:${httpPort}` } }),
    ...(stack.temporalUiUrl && { temporalUiUrl: stack.temporalUiUrl }),
  });
  return async () => removeStateFile(file);
}

/** The demo's closing lines: commands to paste into another shell of this folder while it runs. */
export function lookAroundLines(someUser: string | undefined, randomKey: boolean): string[] {
  const bridge = 'npm run bridge --';
  return [
    '» look around from another shell in this folder while it runs (or `npm link` once, then `bridge ...`):',
    `  ${bridge} status`,
    `  ${bridge} users --state error`,
    ...(someUser ? [`  ${bridge} user ${someUser}`] : []),
    ...(randomKey ? ['  (pair and plan need the secret key: set BRIDGE_SECRET_KEY before `npm run demo` to use them too)'] : []),
  ];
}
