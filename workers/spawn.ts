import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { envKeys, type Config } from '../lib/config';

/** Runs `bridge worker` as a child process with `config` passed through its environment variables. */
export function spawnWorkerProcess(config: Config, stdio: StdioOptions = ['ignore', 'ignore', 'inherit']): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, key] of Object.entries(envKeys)) if (config[key] !== undefined) env[name] = String(config[key]);
  // The CommonJS hook only: `--import tsx` adds a module-loader thread (a second V8 heap, ~30 MB) to every worker.
  const heap = process.env.BRIDGE_WORKER_HEAP_MB ? [`--max-old-space-size=${process.env.BRIDGE_WORKER_HEAP_MB}`] : [];
  if (process.env.BRIDGE_WORKER_NODE_ARGS) heap.push(...process.env.BRIDGE_WORKER_NODE_ARGS.split(' '));
  const child = spawn(process.execPath, [...heap, '--require', 'tsx/cjs', join(__dirname, '..', 'cli', 'bridge.ts'), 'worker'], { env, stdio });
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
