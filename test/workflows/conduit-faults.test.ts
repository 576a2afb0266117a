import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { assertDeliveredOnce, conduitReceived, enableAndWaitForCapture, generateInteractions, type Generated } from '../support/conduit';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres';
import { spawnWorkerProcess } from '../../workers/spawn';
import { conduitExportWorkflow } from '../../workflows';
import { conduitExportWorkflowId } from '../../workflows/conduit-export-api';

let h: BridgeHarness | undefined;
let pg: OwnPostgres | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await pg?.stop();
  pg = undefined;
});

const count = async (bridge: BridgeHarness, query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(bridge.db)).rows[0].n);
const captured = (bridge: BridgeHarness) => count(bridge, sql<{ n: string }>`SELECT count(*) AS n FROM conduit_outbox`);
const expectedEvents = (g: Generated[]) => g.reduce((n, x) => n + x.expected.length, 0);

test('kill -9 of the worker between send and acknowledgement, then a restart: nothing lost, nothing doubled', async () => {
  h = await startBridge('conduitkill');
  await h.workers.stop();
  const child = spawnWorkerProcess(h.config);
  await h.pair();
  await enableAndWaitForCapture(h);
  // Every answer is lost after Genesys applied the batch: the worker holds a sent, unacknowledged batch.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'dropAfterApply', pathPattern: '^/api/v2/conduit' });
  const generated = await generateInteractions(h, 60, 15);
  await eventually('every change captured', async () => (await captured(h!)) === expectedEvents(generated), 30_000);
  await eventually('a batch applied by Genesys and not acknowledged', async () => {
    const pending = await count(h!, sql<{ n: string }>`SELECT count(*) AS n FROM conduit_batches WHERE status = 'pending' AND attempts > 0`);
    return pending > 0 && (await conduitReceived(h!)).total > 0;
  }, 30_000);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const atKill = (await conduitReceived(h)).total;
  assert.ok(atKill < expectedEvents(generated), `killed with events still to send (${atKill} at Genesys)`);
  await h.genesysAdmin('DELETE', '/__admin/faults');
  await h.restartWorkers();
  await assertDeliveredOnce(h, generated, 120_000);
  const replayed = await count(h, sql<{ n: string }>`SELECT count(*) AS n FROM conduit_batches WHERE attempts > 1`);
  assert.ok(replayed >= 1, 'the unacknowledged batch was sent again with its key');
});

test('a 429 storm, 5xx and dropped responses: nothing lost, nothing doubled', async () => {
  h = await startBridge('conduitfaults');
  await h.pair();
  await enableAndWaitForCapture(h);
  // Small batches, so there are dozens of requests for the faults to land on.
  const id = conduitExportWorkflowId('demo-org');
  await h.temporal.workflow.getHandle(id).terminate('restarted with small batches');
  await h.temporal.workflow.start(conduitExportWorkflow, { workflowId: id, taskQueue: h.config.taskQueue, args: [{ orgShortName: 'demo-org', maxBatchEvents: 10 }] });
  const path = '^/api/v2/conduit';
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'rateLimit', share: 0.5, retryAfterSeconds: 1, count: 6, pathPattern: path });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'error', status: 503, share: 0.5, count: 5, pathPattern: path });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'drop', share: 0.3, count: 3, pathPattern: path });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'dropAfterApply', share: 0.3, count: 3, pathPattern: path });
  const generated = await generateInteractions(h, 80, 20);
  await assertDeliveredOnce(h, generated, 120_000);
  const { counts } = await h.genesysAdmin('GET', '/__admin/requests/counts');
  const statuses = counts.filter((c: any) => c.template.includes('/conduit/')).map((c: any) => c.status);
  assert.ok(statuses.includes(429) && statuses.includes(503), `faults fired: ${JSON.stringify(counts)}`);
});

test('PostgreSQL restarted in the middle of an export: the export resumes, nothing lost', async () => {
  pg = await startOwnPostgres();
  h = await startBridge('conduitpg', { config: { databaseUrl: pg.url } });
  await h.pair();
  await enableAndWaitForCapture(h);
  // Slow answers so the restart lands while batches are in flight.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'latency', latencyMs: 150, pathPattern: '^/api/v2/conduit' });
  const first = await generateInteractions(h, 40, 15);
  await eventually('export under way', async () => (await conduitReceived(h!)).total > 0, 30_000);
  const restarting = pg.restart(3_000);
  // Interactions while the outbox is away: the capture holds them and writes them once PostgreSQL is back.
  const second = await generateInteractions(h, 20, 15);
  await restarting;
  await h.genesysAdmin('DELETE', '/__admin/faults');
  await assertDeliveredOnce(h, [...first, ...second], 120_000);
});
