import { mkdtempSync, rmSync } from 'node:fs';
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
  stop(): Promise<void>;
}

/**
 * Brings up PostgreSQL, Redis and a Temporal dev server on free loopback ports and waits until each answers.
 * A service given by DATABASE_URL, REDIS_URL or TEMPORAL_ADDRESS is used as it is instead. Stopping is
 * idempotent and removes the throw-away data directory.
 */
export async function startStack(
  env: NodeJS.ProcessEnv = process.env,
  log: (m: string) => void = (m) => process.stderr.write(`[stack] ${m}\n`),
): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'cloud-bridge-stack-'));
  const services: Service[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(services.reverse().map((s) => stopService(s)));
    if (!env.BRIDGE_KEEP_STACK_DIR) rmSync(dir, { recursive: true, force: true });
  };
  const killOnExit = () => services.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL'));
  process.once('exit', killOnExit);
  try {
    const temporalBinary = env.TEMPORAL_ADDRESS ? undefined : resolveTemporalBinary(env, log);
    const [pg, redis] = await Promise.all([
      env.DATABASE_URL ? undefined : startPostgres(dir).then((h) => (services.push(h.service), h)),
      env.REDIS_URL ? undefined : startRedis(dir).then((h) => (services.push(h.service), h)),
    ]);
    let temporalAddress = env.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (temporalAddress) {
      await ensureSearchAttributes(temporalAddress, env.TEMPORAL_NAMESPACE || 'default');
    } else {
      const t = await startTemporal(dir, await temporalBinary!);
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
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
