import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { GenesysApiError, type GenesysClient } from '../../clients/genesys';
import { seedUser, SYSTEM_PRESENCE_DEFINITIONS } from '../../simulators/genesys';
import { useGenesysClientSuite } from '../support/genesys-client-fixture';

const { sim, client } = useGenesysClientSuite('genesys_presence', { presenceBulkMax: 3 });
let gc: GenesysClient;

beforeEach(() => {
  gc = client({ presenceBulkMax: 3 });
});

const users = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      seedUser(sim.state, { userName: `agent${i}@example.com`, displayName: `Agent ${i}` }, sim.urls.api)
        .id as string,
  );

test('system presences resolve to the org’s definition ids at run time, by any spelling', async () => {
  const byName = new Map(SYSTEM_PRESENCE_DEFINITIONS.map((d) => [d.systemPresence, d.id]));
  assert.equal(await gc.presence.resolveSystemPresence('Available'), byName.get('Available'));
  assert.equal(await gc.presence.resolveSystemPresence('ON_QUEUE'), byName.get('On Queue'));
  assert.equal(await gc.presence.resolveSystemPresence('on queue'), byName.get('On Queue'));
  assert.equal(
    sim.state.requestLog.count({ template: '/api/v2/presence/definitions' }),
    1,
    'looked up once, then cached',
  );
  await assert.rejects(
    gc.presence.resolveSystemPresence('Napping'),
    (err) => err instanceof GenesysApiError && !err.retryable,
  );
});

test('ensureSource registers the bridge’s source once and finds it afterwards', async () => {
  const first = await gc.presence.ensureSource('CIC bridge', 'Statuses from PureConnect');
  const again = await gc.presence.ensureSource('cic bridge');
  assert.equal(again.id, first.id);
  assert.equal(sim.state.presenceSources.size, 1);
  assert.equal(sim.state.requestLog.count({ method: 'POST', template: '/api/v2/presence/sources' }), 1);
});

test('setPresence patches one user, makes the source primary, and survives a dropped connection', async () => {
  const [userId] = users(1);
  const source = await gc.presence.ensureSource('CIC bridge');
  const busy = await gc.presence.resolveSystemPresence('Busy');
  sim.state.faults.add({ host: 'api', kind: 'drop', method: 'PATCH', count: 1 });
  const p = await gc.presence.setPresence(userId, source.id, {
    definitionId: busy,
    primary: true,
    message: 'From CIC: DND',
  });
  assert.equal(p.presenceDefinition?.id, busy);
  assert.equal(p.primary, true);
  const state = sim.state.presence.get(userId)!;
  assert.equal(state.primarySourceId, source.id);
  assert.equal(state.bySource.get(source.id)?.message, 'From CIC: DND');
  assert.equal(gc.stats.networkErrors, 1, 'an absolute presence is safe to send again');
});

test('setPresenceBulk sends chunks of the bulk maximum', async () => {
  const ids = users(7);
  const source = await gc.presence.ensureSource('CIC bridge');
  const away = await gc.presence.resolveSystemPresence('Away');
  const result = await gc.presence.setPresenceBulk(
    ids.map((userId) => ({ userId, sourceId: source.id, definitionId: away })),
  );
  assert.equal(result.length, 7);
  assert.equal(
    sim.state.requestLog.count({ method: 'PUT', template: '/api/v2/users/presences/bulk', status: 200 }),
    3,
  );
  for (const id of ids) assert.equal(sim.state.presence.get(id)?.bySource.get(source.id)?.definitionId, away);
});

test('fetchOrganization names the organization', async () => {
  const org = await gc.fetchOrganization();
  assert.equal(org.thirdPartyOrgName, 'demo-org');
  assert.ok(org.id);
});
