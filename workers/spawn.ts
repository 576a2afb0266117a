import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { envKeys, type Config } from '../lib/config';
import { envWithoutSecrets } from '../lib/child-env';

/**
 * Runs `bridge worker` as a child process with `config`. The config goes to it as the JSON config file
 * (`BRIDGE_CONFIG`) read from a pipe on its fd 3, not through its environment, which any process of the same
 * user can read (`/proc/<pid>/environ`): the secret key and the service URLs (which may hold passwords) are
 * there, and the pairing secrets a `bridge pair` was given are left out, since a worker never needs them (it
 * opens the sealed ones from PostgreSQL with the key).
 */
export function spawnWorkerProcess(config: Config, stdio: StdioOptions = ['ignore', 'ignore', 'inherit']): ChildProcess {
  const env = envWithoutSecrets(process.env, Object.keys(envKeys));
  env.BRIDGE_CONFIG = '/dev/fd/3';
  const { pairClientSecret: _s, pairCicPassword: _p, ...workerConfig } = config;
  // The CommonJS hook only: `--import tsx` adds a module-loader thread (a second V8 heap, ~30 MB) to every worker.
  const heap = process.env.BRIDGE_WORKER_HEAP_MB ? [`--max-old-space-size=${process.env.BRIDGE_WORKER_HEAP_MB}`] : [];
  if (process.env.BRIDGE_WORKER_NODE_ARGS) heap.push(...process.env.BRIDGE_WORKER_NODE_ARGS.split(' '));
  const streams = typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio].slice(0, 3);
  const child = spawn(process.execPath, [...heap, '--require', 'tsx/cjs', join(__dirname, '..', 'cli', 'bridge.ts'), 'worker'], {
    env,
    stdio: [...streams, 'pipe'],
  });
  const configPipe = child.stdio[3] as NodeJS.WritableStream;
  // A worker that dies before reading it closes the pipe; its exit is what the caller sees, not EPIPE.
  (configPipe as unknown as { on(e: 'error', f: () => void): void }).on('error', () => {});
  configPipe.end(JSON.stringify(workerConfig));
  // An orphaned worker would hold our output pipes open; it goes when we go.
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}

/** SIGTERM (graceful), then SIGKILL if the worker is still there after `graceMs`. */
export async function stopWorkerProcess(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
