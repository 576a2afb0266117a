import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging, createLogger, registerSecretValue } from '../../lib/logger';
import { captureLogs } from '../support/secret-scan';

configureLogging({ level: 'info' });

/** Logs through a real subsystem logger and returns exactly what was written. */
function logged(fn: (log: ReturnType<typeof createLogger>) => void): string {
  const cap = captureLogs();
  try {
    fn(createLogger('redaction-test'));
  } finally {
    cap.stop();
  }
  return cap.text();
}

test('a secret under a secret key is redacted at any depth, inside arrays and maps', () => {
  const text = logged((log) =>
    log.info(
      {
        request: { config: { auth: { nested: { password: 'planted-deep-pw-1' } } } },
        servers: [{ host: 'a', clientSecret: 'planted-array-cs-2' }, [{ headers: { Authorization: 'Bearer planted-bearer-3' } }]],
        pairing: { client_secret_enc: 'v2:planted-sealed-4', cicPasswordSealed: 'planted-sealed-5' },
        byId: new Map([['x', { access_token: 'planted-map-tok-6' }]]),
        count: 3,
      },
      'nested secrets',
    ),
  );
  for (const s of ['planted-deep-pw-1', 'planted-array-cs-2', 'planted-bearer-3', 'planted-sealed-4', 'planted-sealed-5', 'planted-map-tok-6']) {
    assert.ok(!text.includes(s), `${s} is not in ${text}`);
  }
  const line = JSON.parse(text);
  assert.equal(line.request.config.auth.nested.password, '[redacted]');
  assert.equal(line.servers[0].host, 'a', 'other values stay');
  assert.equal(line.count, 3);
});

test('an Error, its own properties and its cause chain are redacted; known secret values are scrubbed from messages', () => {
  registerSecretValue('planted-known-pw-7');
  const root = new Error('CIC refused password planted-known-pw-7 for PureCloudAdmin');
  const mid = Object.assign(new Error('sign-in failed', { cause: root }), { request: { body: { password: 'planted-prop-pw-8' } } });
  const top = new AggregateError([new Error('token planted-known-pw-7 expired')], 'pairing failed', { cause: mid });
  const text = logged((log) => {
    log.error({ err: top }, 'failed with planted-known-pw-7 in the message');
    log.warn({ attempt: { errors: [mid] } }, 'nested error');
    log.error(mid);
  });
  for (const s of ['planted-known-pw-7', 'planted-prop-pw-8']) assert.ok(!text.includes(s), `${s} is not in ${text}`);
  const first = JSON.parse(text.split('\n')[0]);
  assert.equal(first.err.message, 'pairing failed');
  assert.equal(first.err.type, 'AggregateError');
  assert.match(first.err.cause.cause.message, /^CIC refused password \[redacted\] for PureCloudAdmin$/, 'the cause chain is logged, scrubbed');
  assert.equal(first.err.cause.request.body.password, '[redacted]');
  assert.match(first.msg, /failed with \[redacted\] in the message/);
});

test('a child logger binding, a URL with credentials and a JSON-escaped secret are redacted', () => {
  registerSecretValue('planted "quoted\\" pw-9');
  const text = logged((log) => {
    log.child({ conn: { databaseUrl: 'postgres://u:planted-url-pw-10@h/db' } }).child({ deeper: [{ token: 'planted-child-13' }] }).info('bound');
    log.info({ target: 'postgres://bridge:planted-url-pw-11@db:5432/x', also: new URL('redis://:planted-url-pw-12@r:6379') }, 'urls');
    log.info({ note: 'planted "quoted\\" pw-9' }, 'escaped');
  });
  for (const s of ['planted-url-pw-10', 'planted-url-pw-11', 'planted-url-pw-12', 'pw-9', 'planted-child-13']) assert.ok(!text.includes(s), `${s} is not in ${text}`);
  assert.match(text, /postgres:\/\/bridge:\[redacted\]@db:5432\/x/);
  assert.equal(JSON.parse(text.split('\n')[0]).conn.databaseUrl, '[redacted]', 'a child binding is redacted by key');
});
