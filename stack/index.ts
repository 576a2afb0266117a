import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres';
import { startRedis } from './redis';
import { ensureSearchAttributes, resolveTemporalBinary, startTemporal } from './temporal';
import { stopService, type Service } from './process';

export interface Stack {
  /** DATABASE_URL, REDIS_URL and TEMPORAL_ADDRESS for the processes that use the stack. */
  env: { DATABASE_URL: string; REDIS_URL: string; TEMPORAL_ADDRESS: string };
  temporalUiUrl?: string;
  /** Which services this stack started (the others were given). */
  started: string[];
  dir: string;
  /** The ports it listens on, for a kept stack to ask for again next time. */
  ports: StackPorts;
  /** Process ids of the services it started, by name. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

export interface StackPorts {
  postgres?: number;
  redis?: number;
  temporal?: number;
  temporalUi?: number;
}

export interface StackOptions {
  /**
   * Keep the services' data here across restarts (`npm start`): PostgreSQL initialised once, Redis with an
   * append-only file, Temporal's SQLite file. Without it the data lives in a throw-away directory. Kept
   * services run in process groups of their own: a Ctrl-C (or a signal to the bridge's group) reaches the
   * bridge, which stops its workers before it stops them, not everything at once.
   */
  dataDir?: string;
  /** Ports to use again when they are free. */
  ports?: StackPorts;
}

/**
 * Brings up PostgreSQL, Redis and a Temporal dev server on free loopback ports and waits until each answers.
 * A service given by DATABASE_URL, REDIS_URL or TEMPORAL_ADDRESS is used as it is instead. Stopping is
 * idempotent and removes the throw-away data directory (never a kept `dataDir`).
 */
export async function startStack(
  env: NodeJS.ProcessEnv = process.env,
  log: (m: string) => void = (m) => process.stderr.write(`[stack] ${m}\n`),
  opts: StackOptions = {},
): Promise<Stack> {
  const keep = !!opts.dataDir;
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o750 });
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cloud-bridge-stack-'));
  const want = opts.ports ?? {};
  const ports: StackPorts = {};
  const services: Service[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // A SQLite or AOF write cut short by SIGKILL costs a kept stack more than a few seconds' wait.
    await Promise.all(services.reverse().map((s) => stopService(s, keep ? 20_000 : 5000)));
    if (!keep && !env.BRIDGE_KEEP_STACK_DIR) rmSync(dir, { recursive: true, force: true });
  };
  const killOnExit = () => services.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL'));
  process.once('exit', killOnExit);
  try {
    const temporalBinary = env.TEMPORAL_ADDRESS ? undefined : resolveTemporalBinary(env, log);
    const [pg, redis] = await Promise.all([
      env.DATABASE_URL ? undefined : startPostgres(dir, { keep, port: want.postgres }).then((h) => (services.push(h.service), h)),
      env.REDIS_URL ? undefined : startRedis(dir, { keep, port: want.redis }).then((h) => (services.push(h.service), h)),
    ]);
    let temporalAddress = env.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (temporalAddress) {
      await ensureSearchAttributes(temporalAddress, env.TEMPORAL_NAMESPACE || 'default');
    } else {
      const t = await startTemporal(dir, await temporalBinary!, [], {
        port: want.temporal,
        uiPort: want.temporalUi,
        detached: keep,
      });
      ports.temporal = Number(new URL(`http://${t.address}`).port);
      ports.temporalUi = Number(new URL(t.uiUrl).port);
      services.push(t.service);
      temporalAddress = t.address;
      temporalUiUrl = t.uiUrl;
    }
    return {
      env: {
        DATABASE_URL: env.DATABASE_URL ?? pg!.url,
        REDIS_URL: env.REDIS_URL ?? redis!.url,
        TEMPORAL_ADDRESS: temporalAddress,
      },
      temporalUiUrl,
      started: services.map((s) => s.name),
      dir,
      ports: {
        ...ports,
        ...(pg && { postgres: Number(new URL(pg.url).port) }),
        ...(redis && { redis: Number(new URL(redis.url).port) }),
      },
      pids: Object.fromEntries(services.filter((s) => s.child.pid).map((s) => [s.name, s.child.pid!])),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
