import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createDb, dropSchema, type Db } from '../../db/database';
import { migrateDown, migrateToLatest, pendingMigrations } from '../../db/migrate';
import { suiteConfig } from '../support/env';

const cfg = suiteConfig('migrations');
let db: Db;

async function tables(): Promise<string[]> {
  const r = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = ${cfg.databaseSchema} ORDER BY table_name`.execute(db);
  return r.rows.map((row) => row.table_name).filter((t) => !t.startsWith('kysely_'));
}

before(() => {
  db = createDb({ databaseUrl: cfg.databaseUrl, schema: cfg.databaseSchema, max: 2 });
});
after(async () => {
  await dropSchema(db, cfg.databaseSchema);
  await db.destroy();
});

test('migrations run up, down to nothing, and up again', async () => {
  const up = await migrateToLatest(db, cfg.databaseSchema);
  assert.ok(up.length > 0 && up.every((l) => l.startsWith('Up ')), up.join());
  const created = await tables();
  assert.ok(created.includes('plumbing_checks'), created.join());
  assert.deepEqual(await pendingMigrations(db, cfg.databaseSchema), []);

  const down = await migrateDown(db, cfg.databaseSchema, true);
  assert.equal(down.length, up.length);
  assert.deepEqual(await tables(), []);

  await migrateToLatest(db, cfg.databaseSchema);
  assert.deepEqual(await tables(), created);
  assert.deepEqual(await migrateToLatest(db, cfg.databaseSchema), [], 'a second up has nothing to do');
});
