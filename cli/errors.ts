import { CommanderError, type Command } from 'commander';
import { ConfigError, type Config } from '../lib/config';
import { SecretError } from '../lib/secrets';
import { StackError } from '../stack/process';
import { PairingError } from '../operations/pairing';

/**
 * An operator's mistake or a situation the operator must act on, said in one line (no stack trace): `exitCode`
 * 2 for a usage mistake (a bad option, a missing setting), 1 for something to fix outside the command (a
 * service not reachable, a bridge not running).
 */
export class OperatorError extends Error {
  override name = 'OperatorError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Raised when a service the command needs does not answer: names it, its address, and what to do. */
export class ServiceUnreachableError extends OperatorError {
  override name = 'ServiceUnreachableError';
  constructor(
    readonly service: string,
    readonly address: string,
    why: string,
    hint: string,
  ) {
    super(`cannot reach ${service} at ${address} (${why}): ${hint}`, 1);
  }
}

/** For the commands that seal or unseal secrets; checked before anything is opened. */
export function requireSecretKey(config: Config): Config {
  if (!config.secretKey) {
    throw new OperatorError(
      'BRIDGE_SECRET_KEY is not set: set it to the key the bridge runs with (32 or more characters; it seals the stored secrets)',
      2,
    );
  }
  return config;
}

/**
 * Commander's own refusals (an unknown option or command, a missing argument) in one line and exit 2, instead
 * of the line plus the whole help text. Must run before the commands are added: they copy these settings.
 */
export function configureUsageErrors(program: Command): Command {
  return program.exitOverride().configureOutput({
    outputError: (message, write) => {
      const line = message.trim().replace(/^error: /, '').split('\n')[0];
      write(`bridge: ${line} (see \`bridge --help\`)\n`);
    },
  });
}

/** How an error ends the process: one line for what an operator can fix, the stack for a bug. */
export function reportCliError(err: unknown): never {
  if (err instanceof CommanderError) {
    // Help and version exit 0; commander already printed its (one-line) refusal.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  const oneLine = (m: string) => m.replace(/:\s*\n\s*/g, ': ').replace(/\n\s*/g, '; ');
  if (err instanceof OperatorError) {
    process.stderr.write(`bridge: ${oneLine(err.message)}\n`);
    process.exit(err.exitCode);
  }
  if (err instanceof ConfigError || err instanceof PairingError) {
    process.stderr.write(`bridge: ${oneLine(err.message)}\n`);
    process.exit(2);
  }
  if (err instanceof SecretError) {
    process.stderr.write(`bridge: ${oneLine(err.message)}\n`);
    process.exit(1);
  }
  // A service that would not start: its message names it and its log, and may quote the log's tail.
  if (err instanceof StackError) {
    process.stderr.write(`bridge: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`bridge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
