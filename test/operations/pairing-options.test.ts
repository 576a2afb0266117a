import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parsePairingOptions } from '../../lib/config';
import { pair, PairingError, type PairingDeps, type PairRequest } from '../../operations/pairing';

// No services: options are checked before anything is opened, stored or started, so a deps object that
// throws on any use proves the refusal came first.
const untouchable = new Proxy({} as PairingDeps, {
  get(_t, prop) {
    throw new Error(`pair() used deps.${String(prop)} before refusing its options`);
  },
});
const request = (options: Record<string, unknown>): PairRequest => ({
  orgShortName: 'demo-org',
  apiUrl: 'http://127.0.0.1:1',
  loginUrl: 'http://127.0.0.1:2',
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  cicServers: ['http://127.0.0.1:3'],
  cicPassword: 'admin-pass',
  options: options as PairRequest['options'],
});

const badProgrammatic: [string, unknown][] = [
  ['reconcileIntervalSeconds', 'abc'],
  ['reconcileIntervalSeconds', Number.NaN],
  ['reconcileIntervalSeconds', 0],
  ['reconcileIntervalSeconds', 59],
  ['reconcileIntervalSeconds', -3600],
  ['reconcileIntervalSeconds', 90.5],
  ['reconcileIntervalSeconds', Number.POSITIVE_INFINITY],
  ['reconcileIntervalSeconds', 31 * 24 * 3600],
  ['reconcileIntervalSeconds', ''],
  ['reconcileIntervalSeconds', null],
  ['massRemovalThreshold', 'abc'],
  ['massRemovalThreshold', -0.1],
  ['massRemovalThreshold', 1.5],
  ['massRemovalThreshold', Number.NaN],
  ['rateLimitPerMinute', 'abc'],
  ['rateLimitPerMinute', -1],
  ['rateLimitPerMinute', 2.5],
  ['defaultCountry', 'XX'],
  ['defaultCountry', 'usa'],
  ['defaultCountry', ''],
  ['defaultCountry', 1],
  ['serviceUserName', ''],
  ['serviceUserName', '   '],
  ['applyConcurrency', 0],
  ['applyConcurrency', 1000],
  ['applyConcurrency', 'many'],
  ['conduitEnabled', 'yes'],
];

test('every bad pairing option is refused by pair() with one line naming the option, before anything is used', async () => {
  for (const [key, value] of badProgrammatic) {
    await assert.rejects(
      pair(untouchable, request({ [key]: value })),
      (err: unknown) => {
        assert.ok(err instanceof PairingError, `${key}=${String(value)}: ${String(err)}`);
        assert.ok(err.message.startsWith(`option ${key} must be `), `${key}=${String(value)}: ${err.message}`);
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      },
      `${key}=${String(value)} is refused`,
    );
  }
});

test('an unknown option (a typo from code) is refused, not ignored', async () => {
  await assert.rejects(pair(untouchable, request({ reconcileInterval: 3600 })), /unknown pairing option 'reconcileInterval'/);
});

test('good options pass, decimal strings become numbers, and an option given as undefined keeps its default', () => {
  const r = parsePairingOptions({
    reconcileIntervalSeconds: '7200',
    massRemovalThreshold: '0.5',
    rateLimitPerMinute: 0,
    defaultCountry: 'IE',
    applyConcurrency: undefined,
  });
  assert.ok(r.ok);
  assert.deepEqual(r.value, { reconcileIntervalSeconds: 7200, massRemovalThreshold: 0.5, rateLimitPerMinute: 0, defaultCountry: 'IE' });
  assert.ok(parsePairingOptions(undefined).ok);
  assert.ok(parsePairingOptions({ reconcileIntervalSeconds: 60, massRemovalThreshold: 0, applyConcurrency: 256, conduitEnabled: true }).ok);
});

const flagKeys: Record<string, string> = {
  '--reconcile-interval': 'reconcileIntervalSeconds',
  '--mass-removal-threshold': 'massRemovalThreshold',
  '--rate-limit': 'rateLimitPerMinute',
  '--default-country': 'defaultCountry',
};
const badFlags: [string, string][] = [
  ['--reconcile-interval', 'abc'],
  ['--reconcile-interval', '0'],
  ['--reconcile-interval', '59'],
  ['--reconcile-interval', '-60'],
  ['--reconcile-interval', '1.5'],
  ['--reconcile-interval', 'NaN'],
  ['--reconcile-interval', 'Infinity'],
  ['--reconcile-interval', ''],
  ['--reconcile-interval', '3600s'],
  ['--mass-removal-threshold', 'abc'],
  ['--mass-removal-threshold', '2'],
  ['--mass-removal-threshold', '-0.5'],
  ['--rate-limit', 'abc'],
  ['--rate-limit', '-5'],
  ['--rate-limit', '2.5'],
  ['--default-country', 'XX'],
  ['--default-country', 'us'],
];
const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('each bad flag value (as the command line gives it, a string) is refused naming the flag', () => {
  for (const [flag, value] of badFlags) {
    const r = parsePairingOptions({ [flagKeys[flag]]: value }, 'flag');
    assert.ok(!r.ok, `${flag} ${value} is refused`);
    assert.match(r.message, new RegExp(`^${flag} must be .*, not '${escape(value)}'$`));
  }
});

const cli = join(__dirname, '../../cli/bridge.ts');

test('bridge pair refuses a bad flag with one line naming it, exit 2, before it reads any config', () => {
  // No DATABASE_URL and friends: had the command gone past its options it would fail on the config instead.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  for (const [flag, value] of [['--reconcile-interval', 'abc'], ['--reconcile-interval', '0']]) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', cli, 'pair', '--org', 'demo-org', '--client-id', 'c', '--cic-server', 'http://127.0.0.1:3', flag, value],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 2, `${flag} ${value}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${flag} ${value}: one line, got ${r.stderr}`);
    assert.match(lines[0], new RegExp(`^bridge: pair: ${flag} must be a whole number of seconds from 60 to 2592000 \\(30 days\\), not '${value}'$`));
  }
});
