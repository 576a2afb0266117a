import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../lib/config';

/** How one secret of a command may be given: never on the command line, where `ps` and shell history show it. */
export interface SecretSource {
  /** The refused flag, e.g. `--client-secret`. */
  flag: string;
  /** Its environment variable, e.g. `BRIDGE_CLIENT_SECRET` (read by the config). */
  env: string;
  /** The value the config read from that variable, if any. */
  fromEnv: string | undefined;
  /** The file flag's value (`--client-secret-file`), if given. */
  file: string | undefined;
  /** What the prompt asks for. */
  prompt: string;
}

export interface Terminal {
  input: NodeJS.ReadStream | (NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(on: boolean): unknown });
  output: NodeJS.WritableStream;
}

/** The one-line refusal of a secret given as a flag; it names the ways that do not show it, never the value. */
export function secretFlagRefusal(cmd: string, s: Pick<SecretSource, 'flag' | 'env'>): ConfigError {
  return new ConfigError(
    `${cmd}: ${s.flag} is refused (a secret on the command line shows in ps and shell history): set ${s.env}, give ${s.flag}-file FILE, or leave both out to be asked on the terminal`,
  );
}

/** The secret from its file, the environment, or a prompt without echo on a terminal, in that order. */
export async function readSecret(cmd: string, s: SecretSource, tty: Terminal = { input: process.stdin, output: process.stderr }): Promise<string> {
  if (s.file !== undefined) return readSecretFile(cmd, s);
  if (s.fromEnv) return s.fromEnv;
  if (tty.input.isTTY && tty.input.setRawMode) {
    const v = await promptHidden(`${s.prompt}: `, tty);
    if (v) return v;
  }
  throw new ConfigError(`${cmd}: no ${s.prompt}: set ${s.env}, give ${s.flag}-file FILE, or run on a terminal to be asked`);
}

function readSecretFile(cmd: string, s: SecretSource): string {
  let text: string;
  try {
    if (!statSync(s.file!).isFile()) throw new Error('not a file');
    text = readFileSync(s.file!, 'utf8');
  } catch (err) {
    throw new ConfigError(`${cmd}: ${s.flag}-file: cannot read ${s.file}: ${(err as Error).message}`);
  }
  // One trailing newline is the editor's, not the secret's.
  const v = text.replace(/\r?\n$/, '');
  if (!v) throw new ConfigError(`${cmd}: ${s.flag}-file: ${s.file} is empty`);
  return v;
}

/** Reads one line with the terminal in raw mode, echoing nothing; Ctrl-C or Ctrl-D gives up. */
export function promptHidden(question: string, tty: Terminal): Promise<string> {
  const input = tty.input as NodeJS.ReadStream;
  tty.output.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.off('data', onData);
      input.pause();
      tty.output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new ConfigError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
