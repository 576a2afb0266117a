import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Where `npm start` keeps PostgreSQL, Redis and Temporal data, and where a running bridge (or the demo) leaves
 * its state file: `BRIDGE_DATA_DIR`, else `$XDG_STATE_HOME/cloud-bridge`, else `~/.local/state/cloud-bridge`.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv): string {
  if (env.BRIDGE_DATA_DIR) return resolve(env.BRIDGE_DATA_DIR);
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'cloud-bridge');
}

/** `service`: `npm start` (data kept in the data directory); `demo`: `npm run demo` (throw-away services). */
export type BridgeKind = 'service' | 'demo';

/**
 * What a running bridge tells the CLI in other terminals: where its services listen and the settings the CLI
 * must share with it (schema, namespace, task queue, queue prefix). Never a secret: URLs lose their
 * credentials before they are written, and BRIDGE_SECRET_KEY stays with the operator.
 */
export interface BridgeState {
  kind: BridgeKind;
  pid: number;
  startedAt: string;
  dataDir: string;
  /** Environment variables the CLI takes from here when they are unset. */
  env: {
    DATABASE_URL: string;
    REDIS_URL: string;
    TEMPORAL_ADDRESS: string;
    DATABASE_SCHEMA: string;
    TEMPORAL_NAMESPACE: string;
    TEMPORAL_TASK_QUEUE: string;
    BRIDGE_QUEUE_PREFIX: string;
  };
  /** Which of the services this bridge started and keeps (the others were given by the operator). */
  started: string[];
  /** A service URL given with a password: the CLI needs the variable itself to sign in. */
  credentialsRemoved: string[];
  http?: { port: number; url: string };
  temporalUiUrl?: string;
  /** The ports of the services it started, asked for again on the next start. */
  ports?: { postgres?: number; redis?: number; temporal?: number; temporalUi?: number };
  /** Process ids of the services it started, to stop them if this bridge dies without stopping them. */
  servicePids?: Record<string, number>;
}

export const stateFileName: Record<BridgeKind, string> = { service: 'bridge.json', demo: 'demo.json' };

export function stateFilePath(dataDir: string, kind: BridgeKind): string {
  return join(dataDir, stateFileName[kind]);
}

/** The URL without its password; `removed` says whether one was there. */
export function withoutCredentials(url: string): { url: string; removed: boolean } {
  try {
    const u = new URL(url);
    if (!u.password) return { url, removed: false };
    u.password = '';
    return { url: u.toString(), removed: true };
  } catch {
    return { url, removed: false };
  }
}

/** Writes the state file atomically (a reader never sees half of it), readable by the operator's other shells. */
export function writeStateFile(path: string, state: BridgeState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Removes the state file if it is still ours (a later bridge may have replaced it). */
export function removeStateFile(path: string, pid = process.pid): void {
  const s = readStateFile(path);
  if (s && s.pid === pid) rmSync(path, { force: true });
}

export function readStateFile(path: string): BridgeState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as BridgeState;
    return s && typeof s.pid === 'number' && s.env ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id runs (ours or another user's); a zombie waiting to be reaped does not. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // "pid (comm) S ...": the state follows the last parenthesis (comm may hold spaces and parentheses).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
