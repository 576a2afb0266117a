import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { sql } from 'kysely';
import { bundleWorkflows } from '../../workers/temporal-worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';
import { historiesDir, payloadTexts } from '../support/histories';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { assertDeliveredOnce, conduitReceived, enableAndWaitForCapture, generateInteractions } from '../support/conduit';
import { conduitHealth, conduitStatus, disableConduit, enableConduit, requestConduitBackfill } from '../../operations/conduit';
import { captureInteractionChanges } from '../../db/conduit-outbox';
import type { InteractionChange } from '../../domain/conversation-events';
import { conduitExportWorkflowId, conduitProgressQuery } from '../../workflows/conduit-export-api';
import { PairingError } from '../../operations/pairing';
import { decodePayloadsIn, payloadCodecFor } from '../../lib/payload-codec';

let h: BridgeHarness;
before(async () => {
  h = await startBridge('conduit', { genesys: { conduitMaxEventAgeSeconds: 3600 } });
});
after(() => h?.stop());

const ops = () => ({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue });
const outboxCount = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM conduit_outbox`.execute(h.db)).rows[0].n);

test('enabling the Conduit without a pairing is refused, and says so', async () => {
  await assert.rejects(enableConduit(ops()), (err: Error) => err instanceof PairingError && /not paired/.test(err.message) && /bridge pair/.test(err.message));
  const s = await conduitStatus({ db: h.db });
  assert.equal(s.enabled, false);
});

test('with the option off, interactions are neither captured nor sent', async () => {
  await h.pair();
  await eventually('the watch is connected', async () => {
    const sessions: any[] = await h.cicAdmin('GET', '/__admin/sessions');
    return sessions.some((s) => s.applicationName.includes('watch') && s.subscriptions.length > 0);
  });
  await generateInteractions(h, 6, 20);
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(await outboxCount(), 0, 'nothing captured');
  assert.equal((await conduitReceived(h)).total, 0, 'nothing sent');
  const sessions: any[] = await h.cicAdmin('GET', '/__admin/sessions');
  assert.ok(!sessions.some((s) => s.subscriptions.includes('queues/cloud-bridge-conduit')), 'no queue subscription while off');
});

test('generated interactions reach the conduit once each, in order per interaction', async () => {
  await enableAndWaitForCapture(h);
  const generated = await generateInteractions(h, 40, 25);
  await assertDeliveredOnce(h, generated);
  const received = await conduitReceived(h);
  const e = received.events.find((x) => x.eventType === 'conversation.connected' && x.attributes.workgroup === 'Support');
  assert.equal(e.attributes.mediaType, 'voice');
  assert.equal(e.attributes.direction, 'inbound');
  assert.ok(e.attributes.agent, 'the agent is named');
  assert.ok(received.batches.every((b: any) => b.idempotencyKey), 'every batch carries an Idempotency-Key');
  await eventually('the outbox is drained', async () => (await conduitStatus({ db: h.db })).backlog === 0);
  const progress = await h.temporal.workflow.getHandle(conduitExportWorkflowId('demo-org')).query(conduitProgressQuery);
  assert.equal(progress.state, 'exporting');
  const health = await conduitHealth(h.db);
  assert.equal(health.status, 'green', health.reason);
});

test('a replayed ICWS message makes no second event', async () => {
  const before = await outboxCount();
  const [g] = await generateInteractions(h, 1, 10);
  await eventually('its events captured', async () => (await outboxCount()) >= before + g.expected.length);
  // Its last state again, as a reconnect's snapshot brings it.
  const r = await captureInteractionChanges(h.db, [
    { change: 'added', interactionId: g.interactionId, attributes: { Eic_State: 'E', Eic_WorkgroupName: 'Support' }, at: new Date().toISOString() },
  ]);
  assert.equal(r.events, 0);
  // A chunk written again after its commit's answer was lost: the same run and sequence numbers.
  const chunk: InteractionChange[] = [
    { change: 'added', interactionId: 'replay-1', attributes: { Eic_State: 'O', Eic_WorkgroupName: 'Support' }, at: new Date().toISOString(), seq: { run: 'run-a', n: 1 } },
    { change: 'changed', interactionId: 'replay-1', attributes: { Eic_State: 'A', Eic_UserName: 'agent' }, at: new Date().toISOString(), seq: { run: 'run-a', n: 2 } },
    { change: 'changed', interactionId: 'replay-1', attributes: { Eic_State: 'C' }, at: new Date().toISOString(), seq: { run: 'run-a', n: 3 } },
  ];
  assert.equal((await captureInteractionChanges(h.db, chunk)).events, 4);
  assert.equal((await captureInteractionChanges(h.db, chunk)).events, 0, 'the repeated chunk added nothing');
  await eventually('the replay interaction exported', async () => (await conduitStatus({ db: h.db })).backlog === 0);
  assert.equal(await outboxCount(), before + g.expected.length + 4);
});

test('a poisoned event is dead-lettered while the others flow', async () => {
  // Captured long before it could be sent (older than Genesys takes): refused per event, with a reason.
  await captureInteractionChanges(h.db, [
    { change: 'added', interactionId: 'poison-1', attributes: { Eic_State: 'O', Eic_ObjectType: 'Call' }, at: new Date(Date.now() - 2 * 3_600_000).toISOString() },
  ]);
  const generated = await generateInteractions(h, 6, 20);
  await assertDeliveredOnce(h, generated);
  const s = await eventually('the dead letter', async () => {
    const st = await conduitStatus({ db: h.db });
    return st.deadLetters.total === 1 && st.backlog === 0 ? st : undefined;
  });
  assert.equal(s.deadLetters.recent[0].interactionId, 'poison-1');
  assert.match(s.deadLetters.recent[0].reason, /older than 3600 seconds/);
  assert.equal((await conduitHealth(h.db)).status, 'amber');
});

test('a backfill of a past hour re-sends without doubling', async () => {
  const before = await conduitReceived(h);
  const exported = await outboxCount();
  const backfillId = 'bf-test-1';
  await requestConduitBackfill(ops(), { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 1000).toISOString(), backfillId });
  const progress = await eventually(
    'the backfill done',
    async () => {
      const p = await h.temporal.workflow.getHandle(conduitExportWorkflowId('demo-org')).query(conduitProgressQuery);
      return p.lastBackfill?.backfillId === backfillId ? p : undefined;
    },
    60_000,
  );
  // Everything that occurred in the last hour (the poisoned event is two hours old).
  assert.equal(progress.lastBackfill!.events, exported - 1);
  const afterwards = await conduitReceived(h);
  assert.equal(afterwards.total, before.total, 'Genesys holds each event once');
  assert.equal(afterwards.duplicatesReceived - before.duplicatesReceived, exported - 1, 'each re-sent event was answered as a duplicate');
});

test('disabling stops capture and export, and keeps what was captured', async () => {
  await disableConduit({ db: h.db });
  await eventually('the export ended', async () => (await h.temporal.workflow.getHandle(conduitExportWorkflowId('demo-org')).describe()).status.name === 'COMPLETED', 30_000);
  await eventually('the watch dropped the queue subscription', async () => {
    const sessions: any[] = await h.cicAdmin('GET', '/__admin/sessions');
    return sessions.some((s) => s.applicationName.includes('watch')) && !sessions.some((s) => s.subscriptions.includes('queues/cloud-bridge-conduit'));
  }, 30_000);
  const kept = await outboxCount();
  await generateInteractions(h, 4, 10);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(await outboxCount(), kept, 'nothing captured while off, nothing deleted');
  assert.ok(kept > 0);
});

test('the export’s history replays on today’s workflow code and holds no secret', async () => {
  // Decrypted first (payloads are encrypted by the codec): the scan must see the real inputs, and a recording must replay without the key.
  const history = await decodePayloadsIn(await h.temporal.workflow.getHandle(conduitExportWorkflowId('demo-org')).fetchHistory(), payloadCodecFor(h.config)!);
  installTemporalRuntime('warn');
  await Worker.runReplayHistory({ workflowBundle: await bundleWorkflows(), replayName: 'conduit-export' }, history, conduitExportWorkflowId('demo-org'));
  const json = JSON.parse(historyToJSON(history));
  const text = JSON.stringify(json) + payloadTexts(json).join('\n');
  for (const secret of ['demo-secret', 'admin-pass', h.config.secretKey!]) assert.ok(!text.includes(secret), 'no secret in the history');
  assert.ok(payloadTexts(json).some((t) => t.includes('backfill')), 'payloads decoded');
  // `CONDUIT_RECORD_HISTORY=1 npm test -- test/workflows/conduit.test.ts` adds it to the histories replay.test.ts guards.
  if (process.env.CONDUIT_RECORD_HISTORY) {
    const recordedFrom = execFileSync('git', ['log', '-1', '--format=%h', '--', 'workflows'], { encoding: 'utf8' }).trim();
    const scenario = 'conduit-export-backfilled-then-disabled';
    writeFileSync(
      join(historiesDir, `${recordedFrom}-${scenario}.json`),
      `${JSON.stringify({ workflowId: conduitExportWorkflowId('demo-org'), workflowType: 'conduitExportWorkflow', recordedFrom, scenario, history: json }, null, 1)}\n`,
    );
  }
});
