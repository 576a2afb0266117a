import { readFileSync, readlinkSync } from 'node:fs';
import { ConfigError, loadConfig } from '../lib/config';
import { configureLogging, createLogger } from '../lib/logger';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { startStack, type Stack } from '../stack';
import { StackError } from '../stack/process';
import {
  processAlive,
  readStateFile,
  removeStateFile,
  resolveDataDir,
  stateFilePath,
  withoutCredentials,
  writeStateFile,
  type BridgeState,
} from '../stack/state-file';
import { runWorkers, type RunningWorkers } from './main';

/**
 * `npm start` (`bridge start`): the bridge as a service on one machine. PostgreSQL, Redis and a Temporal dev
 * server run with their data kept in the data directory (each started here unless DATABASE_URL, REDIS_URL or
 * TEMPORAL_ADDRESS names one the operator runs), migrations are applied, the workers and the HTTP server
 * run, and the state file tells the CLI in other shells where all of it is. SIGTERM or SIGINT stops the
 * workers first (activities get their grace period, then resume elsewhere from their heartbeats), then the
 * services; starting again resumes with the pairing, the sync state, the queues and the workflow histories.
 * Resolves with the process's exit code.
 */
export async function runOneBox(env: NodeJS.ProcessEnv, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<number> {
  const dataDir = resolveDataDir(env);
  const stateFile = stateFilePath(dataDir, 'service');
  const previous = readStateFile(stateFile);
  if (previous && previous.pid !== process.pid && processAlive(previous.pid)) {
    throw new StackError(`a bridge already runs from ${dataDir} (pid ${previous.pid}): stop it first (kill -TERM ${previous.pid}), or give this one its own BRIDGE_DATA_DIR`);
  }
  // Every setting is checked before a service starts; the stack supplies the addresses it was not given.
  const standIns = { DATABASE_URL: 'postgres://127.0.0.1:1/unstarted', REDIS_URL: 'redis://127.0.0.1:1', TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const checked = loadConfig({ ...standIns, ...env });
  if (!checked.secretKey) {
    throw new ConfigError('BRIDGE_SECRET_KEY is not set: the bridge needs it (32 or more characters) to seal and open the stored secrets; keep it outside the data directory');
  }
  configureLogging({ level: checked.logLevel });
  const log = createLogger('one-box', { dataDir });
  if (previous) await stopLeftovers(previous, dataDir, (m) => log.warn(m));

  let stopping = false;
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, 'stopping');
    stopping = true;
    wake();
  };
  for (const sig of signals) process.on(sig, onSignal);

  let stack: Stack | undefined;
  let workers: RunningWorkers | undefined;
  try {
    stack = await startStack(env, (m) => log.info(m), { dataDir, ports: previous?.ports });
    const config = loadConfig({ ...env, ...stack.env });
    const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 1 });
    try {
      const applied = await migrateToLatest(db, config.databaseSchema);
      if (applied.length) log.info({ migrations: applied }, 'migrations applied');
    } finally {
      await db.destroy();
    }
    if (!stopping) {
      workers = await runWorkers(config);
      const credentialsRemoved: string[] = [];
      const clean = (name: string, url: string) => {
        const c = withoutCredentials(url);
        if (c.removed) credentialsRemoved.push(name);
        return c.url;
      };
      const httpUrl = config.publicUrl ?? `http://${config.httpHost}:${workers.healthPort}`;
      const state: BridgeState = {
        kind: 'service',
        pid: process.pid,
        startedAt: new Date().toISOString(),
        dataDir,
        env: {
          DATABASE_URL: clean('DATABASE_URL', config.databaseUrl),
          REDIS_URL: clean('REDIS_URL', config.redisUrl),
          TEMPORAL_ADDRESS: config.temporalAddress,
          DATABASE_SCHEMA: config.databaseSchema,
          TEMPORAL_NAMESPACE: config.temporalNamespace,
          TEMPORAL_TASK_QUEUE: config.taskQueue,
          BRIDGE_QUEUE_PREFIX: config.queuePrefix,
        },
        started: stack.started,
        credentialsRemoved,
        ports: stack.ports,
        servicePids: stack.pids,
        ...(workers.healthPort && { http: { port: workers.healthPort, url: httpUrl } }),
        ...(stack.temporalUiUrl && { temporalUiUrl: stack.temporalUiUrl }),
      };
      writeStateFile(stateFile, state);
      log.info(
        { http: state.http?.url, temporalUi: state.temporalUiUrl, started: stack.started, stateFile },
        `bridge running; data in ${dataDir}`,
      );
      const fatal = workers.done.then(() => {
        if (!stopping) log.error('the workers stopped by themselves; stopping the bridge');
      });
      await Promise.race([stopRequested, fatal]);
      removeStateFile(stateFile);
      const exitCode = stopping ? 0 : 1;
      await workers.stop();
      workers = undefined;
      return exitCode;
    }
    return 0;
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
    removeStateFile(stateFile);
    await workers?.stop().catch((err) => log.error({ err }, 'workers did not stop cleanly'));
    await stack?.stop();
    log.info('stopped');
  }
}

/**
 * After a crash (kill -9 of this process, power loss) the services it started may still run, holding the
 * data directory. Only a process the previous state file names *and* that works in this data directory
 * (its command line or working directory says so) is stopped: a pid reused by something else is left alone.
 */
async function stopLeftovers(previous: BridgeState, dataDir: string, warn: (m: string) => void): Promise<void> {
  for (const [name, pid] of Object.entries(previous.servicePids ?? {})) {
    if (!processAlive(pid) || !worksIn(pid, dataDir)) continue;
    warn(`stopping ${name} (pid ${pid}) left running by a bridge that did not stop cleanly`);
    process.kill(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    const deadline = Date.now() + 20_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function worksIn(pid: number, dataDir: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.startsWith(dataDir))) return true;
    return readlinkSync(`/proc/${pid}/cwd`).startsWith(dataDir);
  } catch {
    return false;
  }
}
