import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createDb, dropSchema, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { snapshotDifferences } from '../../db/directory';
import {
  backlogCutoff,
  backlogPage,
  clearBacklog,
  clearBacklogNotedBy,
  countBacklog,
  noteBacklog,
} from '../../db/watch-backlog';
import { suiteConfig } from '../support/env';

const cfg = suiteConfig('watchbacklog');
let db: Db;

before(async () => {
  db = createDb({ databaseUrl: cfg.databaseUrl, schema: cfg.databaseSchema, max: 2 });
  await migrateToLatest(db, cfg.databaseSchema);
});
beforeEach(async () => {
  await db.deleteFrom('watch_backlog').execute();
  await db.deleteFrom('cic_users').execute();
});
after(async () => {
  await dropSchema(db, cfg.databaseSchema);
  await db.destroy();
});

test('an entry noted again after it was read survives clearing what was read', async () => {
  await noteBacklog(db, ['a', 'b', 'a']);
  const read = await backlogPage(db, 10);
  assert.deepEqual(read.map((e) => e.cicId).sort(), ['a', 'b']);
  // Microseconds matter: a Date round trip would lose them and leave (or drop) the wrong rows.
  assert.match(read[0].notedAt, /\.\d{4,6}/);
  await noteBacklog(db, ['b']);
  await clearBacklog(db, read);
  assert.deepEqual((await backlogPage(db, 10)).map((e) => e.cicId), ['b']);
});

test('the full-pass entry is kept apart from ids, and a full pass clears what was noted before it began', async () => {
  await noteBacklog(db, ['a'], true);
  assert.deepEqual(await countBacklog(db), { ids: 1, fullPass: true });
  assert.deepEqual((await backlogPage(db, 10, { idsOnly: true })).map((e) => e.cicId), ['a']);
  const cutoff = await backlogCutoff(db);
  await noteBacklog(db, ['later']);
  assert.equal(await clearBacklogNotedBy(db, cutoff), 2);
  assert.deepEqual((await backlogPage(db, 10)).map((e) => e.cicId), ['later']);
});

test('a snapshot is compared with the staged users in PostgreSQL: new, changed, back and gone', async () => {
  const row = (cicId: string, hash: string, present = true) => ({
    cic_id: cicId,
    record: null,
    content_hash: hash,
    present,
    seen_at: new Date(),
    removed_at: null,
  });
  await db
    .insertInto('cic_users')
    .values([row('same', 'h1'), row('changed', 'h2'), row('back', 'h3', false), row('gone', 'h4'), row('long-gone', 'h5', false)])
    .execute();
  const pages = [
    { cicIds: ['same', 'changed'], hashes: ['h1', 'h2-new'] },
    { cicIds: ['back', 'new'], hashes: ['h3', 'h6'] },
  ];
  assert.deepEqual(await snapshotDifferences(db, pages, 10), { count: 4, cicIds: ['back', 'changed', 'gone', 'new'] });
  assert.deepEqual(await snapshotDifferences(db, pages, 2), { count: 4, cicIds: ['back', 'changed'] }, 'the count is of all differences');
  const unchanged = [{ cicIds: ['same', 'changed', 'gone'], hashes: ['h1', 'h2', 'h4'] }];
  assert.deepEqual(await snapshotDifferences(db, unchanged, 10), { count: 0, cicIds: [] });
  // The temporary table lives only for its transaction: a second compare on the same connection works.
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'snapshot_cic_users'`.execute(db);
  assert.equal(Number(r.rows[0].n), 0);
});
