import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDb, dropSchema, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { savePairing, getPairing, defaultPairingOptions } from '../../db/pairing';
import { insertIdpKey, listIdpKeys } from '../../db/idp-keys';
import { SecretBox, keyId } from '../../lib/secrets';
import { suiteConfig } from '../support/env';
import { sealV1 } from '../support/sealed-v1';

const OLD = randomBytes(24).toString('hex');
const NEW = 'a passphrase long enough to be accepted as the new key';
const cfg = suiteConfig('secret_rotation');
let db: Db;

before(async () => {
  db = createDb({ databaseUrl: cfg.databaseUrl, schema: cfg.databaseSchema, max: 2 });
  await migrateToLatest(db, cfg.databaseSchema);
});
after(async () => {
  await dropSchema(db, cfg.databaseSchema);
  await db.destroy();
});

const cli = join(__dirname, '../../cli/bridge.ts');
function rotate(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, 'secrets', 'rotate'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: cfg.databaseUrl,
      DATABASE_SCHEMA: cfg.databaseSchema,
      REDIS_URL: cfg.redisUrl,
      TEMPORAL_ADDRESS: cfg.temporalAddress,
      LOG_LEVEL: 'warn',
      ...env,
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

test('bridge secrets rotate re-seals every sealed column with the new key; the old key is needed only until then', async () => {
  // As stored before: a v1 value (bare SHA-256 key) and v2 values under the old key.
  const old = new SecretBox(OLD, []);
  await savePairing(db, {
    orgShortName: 'demo-org',
    regionDomain: null,
    apiUrl: 'http://127.0.0.1:1',
    loginUrl: 'http://127.0.0.1:2',
    clientId: 'demo-client',
    clientSecretSealed: sealV1(OLD, 'rotated-client-secret'),
    cicServers: ['http://127.0.0.1:3'],
    cicUserId: 'PureCloudAdmin',
    cicPasswordSealed: old.seal('rotated-cic-password'),
    options: defaultPairingOptions,
  });
  await insertIdpKey(db, { id: 'k1', status: 'current', certificatePem: 'CERT', privateKeySealed: old.seal('rotated-private-key'), notAfter: new Date(Date.now() + 86_400_000) });

  const withoutOld = rotate({ BRIDGE_SECRET_KEY: NEW });
  assert.equal(withoutOld.status, 1, withoutOld.stderr);
  assert.match(withoutOld.stderr, /cannot be decrypted|neither BRIDGE_SECRET_KEY/);
  assert.match((await getPairing(db))!.cicPasswordSealed, new RegExp(`^v2:${keyId(OLD)}:`), 'a failed rotation changes nothing');

  const r = rotate({ BRIDGE_SECRET_KEY: NEW, BRIDGE_SECRET_KEY_PREVIOUS: OLD });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /idp_keys\.private_key_enc: 1 re-sealed/);
  assert.match(r.stdout, /pairing\.cic_password_enc: 1 re-sealed/);
  assert.match(r.stdout, /pairing\.client_secret_enc: 1 re-sealed/);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(OLD) && !`${r.stdout}${r.stderr}`.includes('rotated-'), 'no key or secret printed');

  const sealed = await sql<{ v: string }>`
    SELECT client_secret_enc AS v FROM pairing UNION ALL SELECT cic_password_enc FROM pairing UNION ALL SELECT private_key_enc FROM idp_keys`.execute(db);
  for (const { v } of sealed.rows) assert.match(v, new RegExp(`^v2:${keyId(NEW)}:`));
  // The new key alone now opens everything.
  const fresh = new SecretBox(NEW, []);
  const p = (await getPairing(db))!;
  assert.equal(fresh.open(p.clientSecretSealed), 'rotated-client-secret');
  assert.equal(fresh.open(p.cicPasswordSealed), 'rotated-cic-password');
  assert.equal(fresh.open((await listIdpKeys(db))[0].privateKeySealed), 'rotated-private-key');

  const again = rotate({ BRIDGE_SECRET_KEY: NEW });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /pairing\.client_secret_enc: 0 re-sealed, 1 already under key/);
});
