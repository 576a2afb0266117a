import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { seedUser } from '../../simulators/genesys/admin';
import { clientToken, simFetch } from '../../simulators/genesys/sim-client';
import { useGenesysSimulator } from '../support/genesys-sim-fixture';

const AVAILABLE = '6a3af858-942f-489d-9700-5f9bcdcdae9b';
const BUSY = '31fe3bac-dea6-44b7-bed7-47f91660a1a0';
const OFFLINE = 'ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5';

describe('Genesys simulator: presence', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 0 });
  let token: string;
  let api: string;
  let userIds: string[];
  let sourceId: string;
  const call = (path: string, req: Parameters<typeof simFetch>[1] = {}) =>
    simFetch(`${api}${path}`, { token, ...req });

  before(async () => {
    api = `${sim.urls.api}/api/v2`;
    token = await clientToken(sim.urls.login);
  });
  beforeEach(async () => {
    userIds = Array.from(
      { length: 60 },
      (_, i) =>
        seedUser(sim.state, { userName: `p${i}@example.com`, displayName: `P${i}` }, sim.urls.api)
          .id as string,
    );
    const src = await call('/presence/sources', {
      json: { name: 'CIC bridge', description: 'PureConnect statuses' },
    });
    assert.equal(src.status, 200);
    sourceId = src.body.id;
  });

  it('lists the system presence definitions with their well-known ids', async () => {
    const defs = await call('/presence/definitions');
    assert.equal(defs.status, 200);
    const byName = Object.fromEntries(defs.body.entities.map((d: any) => [d.systemPresence, d.id]));
    assert.deepEqual(byName, {
      Available: AVAILABLE,
      Away: '5e5c5c66-ea97-4e7f-ac41-6424784829f2',
      Busy: BUSY,
      Offline: OFFLINE,
      Idle: '7ffa01cd-7866-4ad7-8faa-31e11b42f51f',
      'On Queue': 'e08eaf1b-ee47-4fa9-a231-1200e284798f',
      Meal: '3fd96123-badb-4f69-bc03-1b1ccc6d8014',
      Training: 'd2390a99-8546-bad9-8f0a-219548e8aeb0',
      Meeting: 'bbdff279-7ae1-48ea-bade-7831d7234c64',
      Break: '227b37e2-f1d0-4dd0-8f50-badd7cf6d158',
    });
    assert.equal(defs.body.entities[0].type, 'System');
    assert.equal((await call(`/presence/definitions/${BUSY}`)).body.systemPresence, 'Busy');
    assert.equal((await call('/presence/definitions/nope')).status, 404);
    const sys = await call('/systempresences');
    assert.deepEqual(
      sys.body.map((s: any) => s.id),
      ['AVAILABLE', 'AWAY', 'BUSY', 'OFFLINE', 'IDLE', 'ON_QUEUE', 'MEAL', 'TRAINING', 'MEETING', 'BREAK'],
    );
  });

  it('registers presence sources, refusing duplicate names', async () => {
    const list = await call('/presence/sources');
    assert.deepEqual(
      list.body.entities.map((s: any) => s.name),
      ['CIC bridge'],
    );
    assert.equal((await call(`/presence/sources/${sourceId}`)).body.description, 'PureConnect statuses');
    assert.equal((await call('/presence/sources', { json: { name: 'cic BRIDGE' } })).status, 409);
    assert.equal((await call('/presence/sources', { json: {} })).status, 400);
    assert.equal((await call('/presence/sources/nope')).status, 404);
  });

  it('patches a user presence for a source, makes it primary, and counts updates', async () => {
    const id = userIds[0];
    const before = await call(`/users/${id}/presences/${sourceId}`);
    assert.equal(before.body.presenceDefinition.id, OFFLINE);
    assert.equal(before.body.primary, false);
    const res = await call(`/users/${id}/presences/${sourceId}`, {
      method: 'PATCH',
      json: { primary: true, presenceDefinition: { id: BUSY }, message: 'From CIC: Do Not Disturb' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.presenceDefinition.id, BUSY);
    assert.equal(res.body.presenceDefinition.systemPresence, 'Busy');
    assert.equal(res.body.message, 'From CIC: Do Not Disturb');
    assert.equal(res.body.primary, true);
    assert.ok(Date.parse(res.body.modifiedDate));
    await call(`/users/${id}/presences/${sourceId}`, { method: 'PATCH', json: { message: 'still busy' } });
    const state = sim.state.presence.get(id)!;
    assert.equal(state.primarySourceId, sourceId);
    assert.equal(state.updates, 2);
    assert.equal(state.bySource.get(sourceId)!.definitionId, BUSY);
    assert.equal((await call(`/presence/users/${id}/primarysource`)).body.source.id, sourceId);
    const purecloud = await call(`/users/${id}/presences/purecloud`);
    assert.equal(purecloud.body.primary, false);
    const admin = await simFetch(`${sim.urls.admin}/__admin/presences/${id}`);
    assert.equal(admin.body.updates, 2);
  });

  it('answers in the Genesys error shape for unknown users, sources and definitions', async () => {
    const id = userIds[0];
    const unknownUser = await call(`/users/nobody/presences/${sourceId}`, {
      method: 'PATCH',
      json: { presenceDefinition: { id: BUSY } },
    });
    assert.equal(unknownUser.status, 404);
    for (const key of ['message', 'code', 'status', 'contextId', 'details', 'errors'])
      assert.ok(key in unknownUser.body, key);
    assert.equal(unknownUser.body.code, 'not.found');
    assert.equal(
      (await call(`/users/${id}/presences/nosource`, { method: 'PATCH', json: { message: 'x' } })).status,
      404,
    );
    const badDef = await call(`/users/${id}/presences/${sourceId}`, {
      method: 'PATCH',
      json: { presenceDefinition: { id: 'nope' } },
    });
    assert.equal(badDef.status, 400);
    assert.equal(badDef.body.code, 'bad.request');
    assert.equal(
      (await call(`/users/${id}/presences/${sourceId}`, { method: 'PATCH', json: {} })).status,
      400,
    );
    assert.equal(
      (await call(`/users/${id}/presences/${sourceId}`, { method: 'PATCH', json: { primary: 'yes' } }))
        .status,
      400,
    );
  });

  it('reads presences in bulk, at most 50 ids', async () => {
    await call(`/users/${userIds[1]}/presences/${sourceId}`, {
      method: 'PATCH',
      json: { presenceDefinition: { id: AVAILABLE } },
    });
    const res = await call(`/users/presences/${sourceId}/bulk?id=${userIds[0]}&id=${userIds[1]},unknown`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.map((p: any) => p.presenceDefinition.id),
      [OFFLINE, AVAILABLE],
    );
    const tooMany = await call(
      `/users/presences/${sourceId}/bulk?${userIds
        .slice(0, 51)
        .map((id) => `id=${id}`)
        .join('&')}`,
    );
    assert.equal(tooMany.status, 400);
    assert.equal((await call(`/users/presences/${sourceId}/bulk`)).status, 400);
  });

  it('writes presences in bulk, all or nothing, at most 50 items', async () => {
    const items = userIds.slice(0, 50).map((id, i) => ({
      id,
      sourceId,
      primary: true,
      presenceDefinition: { id: i % 2 ? BUSY : AVAILABLE },
      message: `item ${i}`,
    }));
    const res = await call('/users/presences/bulk', { method: 'PUT', json: items });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 50);
    assert.equal(res.body[1].presenceDefinition.id, BUSY);
    assert.equal(sim.state.presence.get(userIds[49])!.primarySourceId, sourceId);

    const tooMany = await call('/users/presences/bulk', {
      method: 'PUT',
      json: [...items, { ...items[0], id: userIds[50] }],
    });
    assert.equal(tooMany.status, 400);

    const mixed = await call('/users/presences/bulk', {
      method: 'PUT',
      json: [
        { id: userIds[55], sourceId, presenceDefinition: { id: BUSY } },
        { id: 'ghost', sourceId, presenceDefinition: { id: BUSY } },
        { id: userIds[56], sourceId, presenceDefinition: { id: 'nope' } },
      ],
    });
    assert.equal(mixed.status, 400);
    assert.deepEqual(
      mixed.body.details.map((d: any) => d.index),
      [1, 2],
    );
    assert.equal(sim.state.presence.get(userIds[55]), undefined, 'nothing applied when an item is bad');
    assert.equal((await call('/users/presences/bulk', { method: 'PUT', json: [] })).status, 400);
  });
});
