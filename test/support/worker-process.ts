import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../lib/config';
import { envKeys } from '../../lib/config';

/** Runs `bridge worker` in a child process with the suite's config, so a test can kill it with SIGKILL. */
export function spawnWorker(config: Config): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, key] of Object.entries(envKeys)) {
    const v = config[key];
    if (v !== undefined) env[name] = String(v);
  }
  env.BRIDGE_HTTP_PORT = '0';
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'cli', 'bridge.ts'), 'worker'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d) => {
    if (process.env.TEST_WORKER_LOGS) process.stderr.write(d);
  });
  return child;
}
