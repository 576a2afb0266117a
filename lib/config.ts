import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Raised when the environment or the config file holds a missing or invalid value; names the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const urlWith = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port');

const boolish = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

export const configSchema = z
  .object({
    databaseUrl: urlWith(['postgres:', 'postgresql:']),
    databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('public'),
    redisUrl: urlWith(['redis:', 'rediss:']),
    temporalAddress: hostPort,
    temporalNamespace: z.string().min(1).default('default'),
    taskQueue: z.string().min(1).default('cloud-bridge'),
    queuePrefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, dash and underscore only').default('bridge'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    httpPort: z.coerce.number().int().min(0).max(65535).default(8080),
    httpHost: z.string().min(1).default('127.0.0.1'),
    publicUrl: urlWith(['http:', 'https:']).optional(),
    runTemporalWorker: boolish.default(true),
    runQueueWorkers: boolish.default(true),
    secretKey: z.string().min(32, 'must be at least 32 characters').optional(),
    pairClientSecret: z.string().min(1).optional(),
    pairCicPassword: z.string().min(1).optional(),
  })
  .strict();

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Environment variable → config key. Nothing else in the code base reads process.env for settings. */
export const envKeys: Record<string, keyof z.input<typeof configSchema>> = {
  DATABASE_URL: 'databaseUrl',
  DATABASE_SCHEMA: 'databaseSchema',
  REDIS_URL: 'redisUrl',
  TEMPORAL_ADDRESS: 'temporalAddress',
  TEMPORAL_NAMESPACE: 'temporalNamespace',
  TEMPORAL_TASK_QUEUE: 'taskQueue',
  BRIDGE_QUEUE_PREFIX: 'queuePrefix',
  LOG_LEVEL: 'logLevel',
  BRIDGE_HTTP_PORT: 'httpPort',
  BRIDGE_HTTP_HOST: 'httpHost',
  BRIDGE_PUBLIC_URL: 'publicUrl',
  BRIDGE_RUN_TEMPORAL_WORKER: 'runTemporalWorker',
  BRIDGE_RUN_QUEUE_WORKERS: 'runQueueWorkers',
  BRIDGE_SECRET_KEY: 'secretKey',
  BRIDGE_CLIENT_SECRET: 'pairClientSecret',
  BRIDGE_CIC_PASSWORD: 'pairCicPassword',
};

const keyToEnv = Object.fromEntries(Object.entries(envKeys).map(([env, key]) => [key, env]));

/**
 * Reads the config once: values from an optional JSON file (BRIDGE_CONFIG, or `file`), overridden by the
 * environment, overridden by explicit `overrides`. Throws ConfigError naming every bad key.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<z.input<typeof configSchema>> = {},
  file = env.BRIDGE_CONFIG,
): Config {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`BRIDGE_CONFIG: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [envName, key] of Object.entries(envKeys)) {
    const v = env[envName];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const parsed = configSchema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const name = keyToEnv[key] ? `${keyToEnv[key]} (${key})` : key || '(config)';
      const message = i.code === 'invalid_type' && i.input === undefined ? 'is required but missing' : i.message;
      return `${name}: ${message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}
