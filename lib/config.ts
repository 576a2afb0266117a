import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isCountryCode } from '../domain/phone';

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
    secretKeyPrevious: z.string().min(32, 'must be at least 32 characters').optional(),
    codecCorsOrigins: z.string().optional(),
    codecAccessToken: z.string().min(16, 'must be at least 16 characters').optional(),
    pairClientSecret: z.string().min(1).optional(),
    pairCicPassword: z.string().min(1).optional(),
    healthToken: z.string().min(16, 'must be at least 16 characters').optional(),
    healthPort: z.coerce.number().int().min(0).max(65535).optional(),
    healthHost: z.string().min(1).optional(),
    healthProbeSeconds: z.coerce.number().int().min(1).max(3600).default(15),
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
  BRIDGE_SECRET_KEY_PREVIOUS: 'secretKeyPrevious',
  BRIDGE_CODEC_CORS_ORIGINS: 'codecCorsOrigins',
  BRIDGE_CODEC_TOKEN: 'codecAccessToken',
  BRIDGE_CLIENT_SECRET: 'pairClientSecret',
  BRIDGE_CIC_PASSWORD: 'pairCicPassword',
  BRIDGE_HEALTH_TOKEN: 'healthToken',
  BRIDGE_HEALTH_PORT: 'healthPort',
  BRIDGE_HEALTH_HOST: 'healthHost',
  BRIDGE_HEALTH_PROBE_SECONDS: 'healthProbeSeconds',
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
      // `/dev/fd/N` by number: a parent's pipe (a socket under Node) cannot be opened by path.
      const fd = /^\/dev\/fd\/(\d+)$/.exec(file);
      fromFile = JSON.parse(readFileSync(fd ? Number(fd[1]) : file, 'utf8'));
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

/**
 * The options of a pairing (`bridge pair` flags, or `PairRequest.options` from code), checked before anything
 * is stored or started: a bad value (e.g. a reconcile interval of `abc`, which the workflow would wait on as
 * "NaN seconds", or `0`, which would run full passes back to back) is refused with the option's name. Numbers
 * may come as numbers or as the decimal strings a command line gives; nothing else is coerced.
 */
export const RECONCILE_INTERVAL_LIMITS = { min: 60, max: 30 * 24 * 3600 } as const;

const pairingOptionRules = {
  defaultCountry: 'a two-letter ISO 3166 country code (e.g. US, IE)',
  massRemovalThreshold: 'a share from 0 to 1 (e.g. 0.2)',
  reconcileIntervalSeconds: `a whole number of seconds from ${RECONCILE_INTERVAL_LIMITS.min} to ${RECONCILE_INTERVAL_LIMITS.max} (30 days)`,
  rateLimitPerMinute: 'a whole number of requests per minute from 0 (unlimited) to 1000000',
  serviceUserName: 'a CIC user name',
  applyConcurrency: 'a whole number from 1 to 256',
  conduitEnabled: 'true or false',
  conduitWorkgroups: 'a list of CIC workgroup names',
} as const;

const decimal = z
  .string()
  .trim()
  .regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/)
  .transform(Number);
/** A finite number, or a decimal string of one (a command-line flag); never '', 'abc', NaN or Infinity. */
const numeric = (check: z.ZodNumber) => z.union([z.number(), decimal]).pipe(check);

export const pairingOptionsSchema = z
  .object({
    defaultCountry: z.string().refine((c) => isCountryCode(c)),
    massRemovalThreshold: numeric(z.number().min(0).max(1)),
    reconcileIntervalSeconds: numeric(z.number().int().min(RECONCILE_INTERVAL_LIMITS.min).max(RECONCILE_INTERVAL_LIMITS.max)),
    rateLimitPerMinute: numeric(z.number().int().min(0).max(1_000_000)),
    serviceUserName: z.string().trim().min(1),
    applyConcurrency: numeric(z.number().int().min(1).max(256)),
    conduitEnabled: z.boolean(),
    conduitWorkgroups: z.array(z.string().trim().min(1).max(256)).max(1000),
  })
  .partial()
  .strict();

export type PairingOptionsInput = z.input<typeof pairingOptionsSchema>;

/** The command-line flag of each pairing option that has one, for messages that name what the operator typed. */
export const pairingOptionFlags: Partial<Record<keyof PairingOptionsInput, string>> = {
  defaultCountry: '--default-country',
  massRemovalThreshold: '--mass-removal-threshold',
  reconcileIntervalSeconds: '--reconcile-interval',
  rateLimitPerMinute: '--rate-limit',
};

/**
 * Checks pairing options. A bad value gives one line naming the option (its key, or with `nameAs: 'flag'`
 * its flag), what it must be, and the value given.
 */
export function parsePairingOptions(
  input: unknown,
  nameAs: 'key' | 'flag' = 'key',
): { ok: true; value: z.output<typeof pairingOptionsSchema> } | { ok: false; option: string; message: string } {
  const parsed = pairingOptionsSchema.safeParse(input ?? {});
  if (parsed.success) {
    // An option given as undefined is an option not given: it must not hide the default.
    const value = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
    return { ok: true, value };
  }
  const issue = parsed.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return { ok: false, option: issue.keys[0], message: `unknown pairing option '${issue.keys[0]}'` };
  }
  if (!issue.path.length) return { ok: false, option: '(options)', message: 'pairing options must be an object' };
  const key = String(issue.path[0]) as keyof typeof pairingOptionRules;
  const flag = nameAs === 'flag' ? pairingOptionFlags[key] : undefined;
  const given = (input as Record<string, unknown>)[key];
  const shown = typeof given === 'string' ? `'${given}'` : String(given);
  return { ok: false, option: key, message: `${flag ?? `option ${key}`} must be ${pairingOptionRules[key]}, not ${shown}` };
}
