import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { createDb, dropSchema } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { getPlumbingCheck } from '../../db/plumbing-checks';
import { runWorkers, type RunningWorkers } from '../../workers/main';
import { runPlumbingCheck } from '../../cli/plumbing';
import { dataConverterFor } from '../../lib/payload-codec';
import { suiteConfig } from '../support/env';

const cfg = suiteConfig('plumbing');
const db = createDb({ databaseUrl: cfg.databaseUrl, schema: cfg.databaseSchema, max: 2 });
let workers: RunningWorkers;
let client: Client;

before(async () => {
  await migrateToLatest(db, cfg.databaseSchema);
  workers = await runWorkers(cfg);
  client = new Client({ connection: await Connection.connect({ address: cfg.temporalAddress }), dataConverter: dataConverterFor(cfg) });
});

after(async () => {
  await workers?.stop();
  await client?.connection.close();
  await dropSchema(db, cfg.databaseSchema);
  await db.destroy();
});

test('a workflow writes a row, enqueues a job, and a queue worker consumes it', async () => {
  const { workflowId, result } = await runPlumbingCheck(client, cfg);
  assert.match(result.jobId, /^check-/);
  assert.match(result.echoedBy, new RegExp(`:${process.pid}$`), 'consumed by this process’s BullMQ worker');

  const row = await getPlumbingCheck(db, result.checkId);
  assert.ok(row, 'the activity wrote the row');
  assert.equal(row.jobId, result.jobId);
  assert.equal(row.echoedAt?.toISOString(), result.echoedAt, 'the queue worker stamped the same row');
  assert.ok(row.echoedAt! >= row.requestedAt);

  const description = await client.workflow.getHandle(workflowId).describe();
  assert.equal(description.status.name, 'COMPLETED');
  assert.deepEqual(description.searchAttributes.BridgeKind, ['plumbing-check']);
});

test('the liveness endpoint reports both workers running', async () => {
  const res = await fetch(`http://127.0.0.1:${workers.healthPort}/livez`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; components: Record<string, unknown> };
  assert.equal(body.status, 'ok');
  assert.deepEqual(Object.keys(body.components).sort(), ['queues', 'temporal']);
  assert.equal((await fetch(`http://127.0.0.1:${workers.healthPort}/nope`)).status, 404);
});
