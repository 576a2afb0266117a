import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { clientToken, simFetch } from '../../simulators/genesys/sim-client';
import { useGenesysSimulator } from '../support/genesys-sim-fixture';

describe('Genesys simulator: conduit events', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 0, conduitMaxEventAgeSeconds: 3600 });
  let token: string;
  let url: string;

  const event = (eventId: string, extra: Record<string, unknown> = {}) => ({
    eventId,
    interactionId: 'int-1',
    eventType: 'interaction_started',
    occurredAt: new Date().toISOString(),
    attributes: { queue: 'Sales', wait: 12, vip: false },
    ...extra,
  });
  const post = (json: unknown, key?: string) =>
    simFetch(url, { token, json, headers: key ? { 'idempotency-key': key } : {} });

  before(async () => {
    url = `${sim.urls.api}/api/v2/conduit/events`;
    token = await clientToken(sim.urls.login);
  });

  it('stores new events and answers 200 with a result per event', async () => {
    const res = await post({ batchId: 'b1', events: [event('e1'), event('e2')] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.results, [
      { eventId: 'e1', status: 'created' },
      { eventId: 'e2', status: 'created' },
    ]);
    assert.equal(sim.state.conduitEvents.size, 2);
    assert.equal(sim.state.conduitEvents.get('e1')!.batchId, 'b1');
  });

  it('stores each eventId once and counts duplicates received', async () => {
    await post({ batchId: 'b1', events: [event('e1')] });
    const res = await post({ batchId: 'b2', events: [event('e1'), event('e3'), event('e3')] });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.results.map((r: any) => r.status),
      ['duplicate', 'created', 'duplicate'],
    );
    assert.equal(sim.state.conduitEvents.size, 2);
    const admin = await simFetch(`${sim.urls.admin}/__admin/conduit/events`);
    assert.equal(admin.body.total, 2);
    assert.equal(admin.body.duplicatesReceived, 2);
    assert.equal(admin.body.batches.length, 2);
  });

  it('rejects bad or stale events one by one with 207', async () => {
    const res = await post({
      batchId: 'b1',
      events: [
        event('ok'),
        event('old', { occurredAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }),
        event('future', { occurredAt: new Date(Date.now() + 3_600_000).toISOString() }),
        event('no-zone', { occurredAt: '2024-01-01T10:00:00' }),
        { eventId: 'no-interaction', eventType: 'x', occurredAt: new Date().toISOString() },
        event('nested', { attributes: { a: { b: 1 } } }),
        { interactionId: 'i', eventType: 'x', occurredAt: new Date().toISOString() },
      ],
    });
    assert.equal(res.status, 207);
    assert.deepEqual(
      res.body.results.map((r: any) => [r.eventId, r.status]),
      [
        ['ok', 'created'],
        ['old', 'rejected'],
        ['future', 'rejected'],
        ['no-zone', 'rejected'],
        ['no-interaction', 'rejected'],
        ['nested', 'rejected'],
        [null, 'rejected'],
      ],
    );
    assert.match(res.body.results[1].reason, /older than 3600 seconds/);
    assert.equal(sim.state.conduitEvents.size, 1);
  });

  it('replays the stored response for a repeated Idempotency-Key without writing again', async () => {
    const body = { batchId: 'b1', events: [event('e1'), event('e2')] };
    const first = await post(body, 'key-1');
    const again = await post(body, 'key-1');
    assert.equal(again.status, first.status);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(sim.state.conduitDuplicatesReceived, 0, 'a replay is not a duplicate delivery');
    assert.equal(sim.state.conduitBatches.length, 1);
    const other = await post({ ...body, batchId: 'b2' }, 'key-1');
    assert.equal(other.status, 422);
    const fresh = await post(body, 'key-2');
    assert.deepEqual(
      fresh.body.results.map((r: any) => r.status),
      ['duplicate', 'duplicate'],
    );
  });

  it('refuses malformed batches with 400 and needs a token', async () => {
    assert.equal((await post({ events: [event('e')] })).status, 400);
    assert.equal((await post({ batchId: 'b', events: [] })).status, 400);
    assert.equal((await post({ batchId: 'b', events: 'x' })).status, 400);
    assert.equal((await post([event('e')])).status, 400);
    assert.equal((await simFetch(url, { json: { batchId: 'b', events: [event('e')] } })).status, 401);
  });
});
