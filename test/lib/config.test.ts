import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ConfigError, loadConfig } from '../../lib/config';

const base = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
};

test('a complete environment gives a frozen config with defaults', () => {
  const cfg = loadConfig(base, {}, undefined);
  assert.equal(cfg.taskQueue, 'cloud-bridge');
  assert.equal(cfg.httpPort, 8080);
  assert.equal(cfg.runTemporalWorker, true);
  assert.ok(Object.isFrozen(cfg));
});

test('a missing value names the environment variable and says it is missing', () => {
  assert.throws(
    () => loadConfig({ REDIS_URL: base.REDIS_URL, TEMPORAL_ADDRESS: base.TEMPORAL_ADDRESS }, {}, undefined),
    (err: unknown) => err instanceof ConfigError && /DATABASE_URL \(databaseUrl\): is required but missing/.test(err.message),
  );
});

test('a bad value names the key and the problem', () => {
  assert.throws(
    () => loadConfig({ ...base, TEMPORAL_ADDRESS: 'http://x', BRIDGE_HTTP_PORT: '99999' }, {}, undefined),
    (err: unknown) =>
      err instanceof ConfigError && /TEMPORAL_ADDRESS.*host:port/.test(err.message) && /BRIDGE_HTTP_PORT/.test(err.message),
  );
  assert.throws(() => loadConfig({ ...base, REDIS_URL: 'http://127.0.0.1' }, {}, undefined), /REDIS_URL.*redis:/);
});

test('the config file is read, and the environment overrides it; unknown keys in it are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'bridge.json');
  writeFileSync(file, JSON.stringify({ ...{ databaseUrl: base.DATABASE_URL, redisUrl: base.REDIS_URL }, taskQueue: 'from-file', temporalAddress: 'a:1' }));
  const cfg = loadConfig({ TEMPORAL_ADDRESS: 'b:2' }, {}, file);
  assert.equal(cfg.taskQueue, 'from-file');
  assert.equal(cfg.temporalAddress, 'b:2');
  writeFileSync(file, JSON.stringify({ tasQueue: 'typo' }));
  assert.throws(() => loadConfig(base, {}, file), /tasQueue/);
  assert.throws(() => loadConfig(base, {}, join(dir, 'missing.json')), /BRIDGE_CONFIG: cannot read/);
});
