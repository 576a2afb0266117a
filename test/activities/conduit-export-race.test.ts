import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startBridge, type BridgeHarness } from '../support/bridge-harness';
import { conduitReceived } from '../support/conduit';
import { createPairingContext, type PairingContext } from '../../activities/pairing-context';
import { createConduitExportActivities, type ExportRound } from '../../activities/conduit-export';
import { openProducer } from '../../queues/connection';

let h: BridgeHarness;
let redis: Awaited<ReturnType<typeof openProducer>>;
let pairingContext: PairingContext;

before(async () => {
  h = await startBridge('conduitrace');
  await h.pair();
  redis = await openProducer(h.config.redisUrl);
  pairingContext = createPairingContext({ db: h.db, redis, secretKey: h.config.secretKey, budgetPrefix: `conduitrace-${Date.now()}` });
});

after(async () => {
  await pairingContext?.close();
  redis?.disconnect();
  await h?.stop();
});

/**
 * Two export activities alive at once, as after a restart of the export workflow (the terminated run's activity
 * keeps going until a heartbeat tells it otherwise) or an attempt the server timed out while its worker still
 * runs it. Each must not cut its own batch of the same events under its own key.
 */
test('two exporters running at once: every event reaches Genesys once', async () => {
  // The option on, without the export workflow: the two exporters below are the only ones.
  await sql`UPDATE pairing SET options = options || '{"conduitEnabled": true}'::jsonb`.execute(h.db);
  const events = 40;
  await sql`
    INSERT INTO conduit_outbox (event_id, interaction_id, event_type, occurred_at, attributes)
    SELECT 'race-' || n, 'race-interaction-' || (n / 4), 'conversation.created', now(), '{}'::jsonb FROM generate_series(1, ${events}) AS n`.execute(h.db);
  // Slow answers, so both exporters have batches in flight together.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'latency', latencyMs: 300, pathPattern: '^/api/v2/conduit' });

  const activities = createConduitExportActivities({ db: h.db, pairingContext });
  const round = (): Promise<ExportRound> => new MockActivityEnvironment().run(activities.exportConduit, { maxBatchEvents: 10, runForMs: 5_000, idleMs: 50 });
  const [a, b] = await Promise.all([round(), round()]);

  const received = await conduitReceived(h);
  const ours = received.events.filter((e) => String(e.eventId).startsWith('race-'));
  assert.equal(ours.length, events, 'every event at Genesys');
  assert.equal(received.duplicatesReceived, 0, 'no event reached Genesys twice');
  assert.equal(Math.max(a.cursor, b.cursor), Number((await sql<{ p: string }>`SELECT max(position) AS p FROM conduit_outbox`.execute(h.db)).rows[0].p));
  const pending = await sql<{ n: string }>`SELECT count(*) AS n FROM conduit_batches WHERE status = 'pending'`.execute(h.db);
  assert.equal(Number(pending.rows[0].n), 0, 'no batch left unanswered');
});
