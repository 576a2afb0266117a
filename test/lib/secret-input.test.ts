import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { readSecret, type SecretSource } from '../../cli/secret-input';

const cli = join(__dirname, '../../cli/bridge.ts');
const source = (s: Partial<SecretSource>): SecretSource => ({ flag: '--client-secret', env: 'BRIDGE_CLIENT_SECRET', prompt: 'OAuth client secret', fromEnv: undefined, file: undefined, ...s });

test('bridge pair refuses --client-secret and --cic-password in one line that says what to use, never echoing the value', () => {
  // No DATABASE_URL: the refusal comes before any config is read or service opened.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  for (const [flag, envName] of [['--client-secret', 'BRIDGE_CLIENT_SECRET'], ['--cic-password', 'BRIDGE_CIC_PASSWORD']]) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', cli, 'pair', '--org', 'demo-org', '--client-id', 'c', '--cic-server', 'http://127.0.0.1:3', flag, 'planted-flag-secret-42'],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 2, `${flag}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^bridge: pair: ${flag} is refused .*set ${envName}, give ${flag}-file FILE`));
    assert.ok(!r.stderr.includes('planted-flag-secret-42') && !r.stdout.includes('planted-flag-secret-42'));
  }
  const help = spawnSync(process.execPath, ['--import', 'tsx', cli, 'pair', '--help'], { env, encoding: 'utf8', timeout: 120_000 });
  assert.match(help.stdout, /--client-secret-file <file>/);
  assert.doesNotMatch(help.stdout, /--client-secret <secret>|--cic-password <password>/, 'the flag forms are not offered');
});

test('a secret comes from its file (one trailing newline dropped), else the environment; without either and no terminal, a clear refusal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-secret-'));
  writeFileSync(join(dir, 's'), 'from-file-secret\n', { mode: 0o600 });
  writeFileSync(join(dir, 'empty'), '\n');
  const noTty = { input: Object.assign(new PassThrough(), { isTTY: false }), output: new PassThrough() };
  assert.equal(await readSecret('pair', source({ file: join(dir, 's'), fromEnv: 'from-env' }), noTty), 'from-file-secret', 'the file wins');
  assert.equal(await readSecret('pair', source({ fromEnv: 'from-env' }), noTty), 'from-env');
  await assert.rejects(readSecret('pair', source({ file: join(dir, 'missing') }), noTty), /^ConfigError: pair: --client-secret-file: cannot read .*missing/);
  await assert.rejects(readSecret('pair', source({ file: join(dir, 'empty') }), noTty), /--client-secret-file: .*empty is empty/);
  await assert.rejects(readSecret('pair', source({}), noTty), /pair: no OAuth client secret: set BRIDGE_CLIENT_SECRET, give --client-secret-file FILE, or run on a terminal/);
});

test('on a terminal it asks with echo off (raw mode), and what is typed never reaches the output', async () => {
  const modes: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (on: boolean) => modes.push(on) });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d) => (shown += d.toString()));
  const answer = readSecret('pair', source({}), { input, output });
  input.write('typed-secreX');
  input.write('\u007f');
  input.write('t\r');
  assert.equal(await answer, 'typed-secret');
  assert.deepEqual(modes, [true, false], 'raw mode on while typing, off after');
  assert.equal(shown, 'OAuth client secret: \n');
});
