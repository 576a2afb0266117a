import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnWorkerProcess, stopWorkerProcess } from '../../workers/spawn';
import { freePort, run } from '../../stack/process';
import { suiteConfig } from '../support/env';
import { eventually } from '../support/bridge-harness';

const secretKey = randomBytes(24).toString('hex');
const planted = { clientSecret: 'planted-pair-client-secret-91', cicPassword: 'planted-pair-cic-password-92', inherited: 'planted-inherited-secret-93' };

test('the worker process gets its config (secret key included) through a pipe, and no secret through its environment or command line', async () => {
  const config = suiteConfig('spawnenv', {
    secretKey,
    pairClientSecret: planted.clientSecret,
    pairCicPassword: planted.cicPassword,
    httpPort: await freePort(),
  });
  // What an operator's shell may hold when it runs the bench or the demo.
  process.env.BRIDGE_CLIENT_SECRET = planted.inherited;
  process.env.BRIDGE_SECRET_KEY_PREVIOUS = `${planted.inherited}-previous-key-material`;
  const child = spawnWorkerProcess(config);
  try {
    // Up, on the port and task queue of the config it read from the pipe.
    const live = await eventually(
      'the worker answers /livez',
      async () => {
        const res = await fetch(`http://127.0.0.1:${config.httpPort}/livez`);
        return res.ok && ((await res.json()) as { status: string });
      },
      60_000,
    );
    assert.equal(live.status, 'ok');
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8');
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    for (const s of [secretKey, planted.clientSecret, planted.cicPassword, planted.inherited]) {
      assert.ok(!environ.includes(s), 'no secret in the environment');
      assert.ok(!cmdline.includes(s), 'no secret on the command line');
    }
    const names = environ.split('\0').map((kv) => kv.split('=')[0]);
    for (const n of ['BRIDGE_SECRET_KEY', 'BRIDGE_SECRET_KEY_PREVIOUS', 'BRIDGE_CLIENT_SECRET', 'BRIDGE_CIC_PASSWORD', 'DATABASE_URL']) {
      assert.ok(!names.includes(n), `${n} is not passed`);
    }
  } finally {
    delete process.env.BRIDGE_CLIENT_SECRET;
    delete process.env.BRIDGE_SECRET_KEY_PREVIOUS;
    await stopWorkerProcess(child);
  }
});

test('services the stack starts (PostgreSQL, Redis, Temporal, go install) get no secret variables', async () => {
  process.env.BRIDGE_SECRET_KEY = secretKey;
  process.env.BRIDGE_CIC_PASSWORD = planted.cicPassword;
  try {
    const env = await run('sh', ['-c', 'env']);
    assert.ok(!env.includes(secretKey) && !env.includes(planted.cicPassword), env);
    assert.match(env, /^PATH=/m, 'the rest of the environment is passed');
  } finally {
    delete process.env.BRIDGE_SECRET_KEY;
    delete process.env.BRIDGE_CIC_PASSWORD;
  }
});
