import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { envWithoutSecrets } from '../lib/child-env';
import { createServer } from 'node:net';
import { createWriteStream } from 'node:fs';

/** Raised when a local service cannot be installed, started or reached; says which and why. */
export class StackError extends Error {
  override name = 'StackError';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** `preferred` when it is free (a kept stack keeps its addresses across restarts), else any free port. */
export function portOrFree(preferred: number | undefined): Promise<number> {
  if (!preferred) return freePort();
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(freePort()));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** The signal that stops it quickly and cleanly (SIGTERM unless said otherwise). */
  stopSignal?: NodeJS.Signals;
}

/** Starts a long-running service with its output in a log file; the child dies with us. */
export function startService(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: SpawnOptions = {},
): Service {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: envWithoutSecrets(), ...options });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  child.on('error', (err) => out.write(`spawn error: ${err.message}\n`));
  return { name, child, logFile };
}

/** Runs a command to completion; resolves with its output, rejects with it on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: envWithoutSecrets(), ...options });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new StackError(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`)),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  service: Service | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service && service.child.exitCode !== null) {
      throw new StackError(`${what} exited with code ${service.child.exitCode}; see ${service.logFile}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new StackError(`${what} did not answer within ${timeoutMs} ms${service ? `; see ${service.logFile}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Stops a service: its stop signal (SIGTERM), then SIGKILL if it lingers. */
export async function stopService(service: Service, graceMs = 5000): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(service.stopSignal ?? 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
