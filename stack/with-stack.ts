/**
 * `tsx stack/with-stack.ts -- <command...>`: starts the stack, runs the command with DATABASE_URL,
 * REDIS_URL and TEMPORAL_ADDRESS set (and TEMPORAL_TEST_SERVER_BIN when the time-skipping server is
 * installed), stops the stack, and exits with the command's code. When the command
 * is a `--test` run naming no test file, every test/**\/*.test.ts is added.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startStack } from './index';
import { resolveTestServerBinary } from './temporal-test-server';

function findTests(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return findTests(p);
      return name.endsWith('.test.ts') ? [p] : [];
    });
}

async function main() {
  const sep = process.argv.indexOf('--');
  const command = sep >= 0 ? process.argv.slice(sep + 1) : [];
  if (!command.length) {
    process.stderr.write('usage: tsx stack/with-stack.ts -- <command> [args...]\n');
    process.exit(2);
  }
  if (command.includes('--test') && !command.some((a) => a.endsWith('.ts'))) {
    command.push(...findTests('test').map((p) => relative('.', p)));
  }
  const started = Date.now();
  const testServer = resolveTestServerBinary(process.env);
  const stack = await startStack();
  process.stderr.write(
    `[stack] up in ${((Date.now() - started) / 1000).toFixed(1)} s: started ${stack.started.join(', ') || 'nothing'}` +
      `${stack.temporalUiUrl ? `; Temporal UI ${stack.temporalUiUrl}` : ''}\n`,
  );
  const child = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...stack.env,
      TEMPORAL_UI_URL: stack.temporalUiUrl ?? '',
      ...(testServer && { TEMPORAL_TEST_SERVER_BIN: testServer }),
    },
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code: number = await new Promise((resolve) =>
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 + 15 : 1))),
  );
  await stack.stop();
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`[stack] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
