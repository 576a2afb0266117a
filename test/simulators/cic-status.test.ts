import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });
const userStatusMessage = 'urn:inin.com:status:userStatusMessage';

describe('CIC simulator: statuses', () => {
  let pair: CicSimulatorPair;
  let admin: IcwsTestClient;
  let agent: string;
  let other: string;

  before(async () => {
    pair = await startCicSimulatorPair({ directory: { count: 10, seed: 5 }, logger: silent });
    admin = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
    [agent, other] = pair.directory
      .list()
      .slice(1, 3)
      .map((u) => u.configurationId.id);
  });
  after(() => pair.close());

  it('lists the standard statuses with their flags', async () => {
    const res = await admin.request('GET', '/status/status-messages');
    assert.equal(res.status, 200);
    const byId = new Map(res.body.statusMessageList.map((s: any) => [s.statusId, s]));
    for (const id of [
      'Available',
      'Available No ACD',
      'Away from desk',
      'At Lunch',
      'Do Not Disturb',
      'Follow Up',
      'AcdAgentNotAnswering',
      'At a Training Session',
      'In a meeting',
      'Gone Home',
      'On Vacation',
      'Out of the Office',
      'Working at Home',
    ]) {
      assert.ok(byId.has(id), id);
    }
    const get = (id: string) => byId.get(id) as any;
    assert.equal(get('Do Not Disturb').isDoNotDisturbStatus, true);
    assert.equal(get('Follow Up').isAfterCallWorkStatus, true);
    assert.equal(get('Follow Up').isAcdStatus, true);
    assert.equal(get('AcdAgentNotAnswering').messageText, 'ACD - Agent Not Answering');
    assert.equal(get('AcdAgentNotAnswering').isSelectableStatus, false);
    assert.equal(get('At Lunch').groupTag, 'Meal');
    assert.equal(get('Available').isSelectableStatus, true);
  });

  it('reads and sets a status: 202, unknown or system status 400, unknown user 404', async () => {
    const put = await admin.request('PUT', `/status/user-statuses/${agent}`, { statusId: 'At Lunch' });
    assert.equal(put.status, 202);
    const res = await admin.request('GET', `/status/user-statuses/${agent}`);
    assert.equal(res.body.userId, agent);
    assert.equal(res.body.statusId, 'At Lunch');
    assert.match(res.body.statusChanged, /^\d{8}T\d{6}Z$/);
    assert.equal(typeof res.body.loggedIn, 'boolean');
    assert.equal(typeof res.body.onPhone, 'boolean');
    assert.equal(
      (await admin.request('PUT', `/status/user-statuses/${agent}`, { statusId: 'Sunbathing' })).status,
      400,
    );
    assert.equal(
      (await admin.request('PUT', `/status/user-statuses/${agent}`, { statusId: 'AcdAgentNotAnswering' }))
        .status,
      400,
    );
    assert.equal((await admin.request('GET', '/status/user-statuses/nobody.at.all')).status, 404);
  });

  it('keeps a status id as the client spelled it, since CIC ids ignore case', async () => {
    assert.equal(
      (await admin.request('PUT', `/status/user-statuses/${agent}`, { statusId: 'do not disturb' })).status,
      202,
    );
    assert.equal(
      (await admin.request('GET', `/status/user-statuses/${agent}`)).body.statusId,
      'do not disturb',
    );
  });

  it("lets a user set their own status but not someone else's", async () => {
    const self = await IcwsTestClient.connect(pair.urls.primary, { userID: agent, password: 'password' });
    assert.equal(
      (await self.request('PUT', `/status/user-statuses/${agent}`, { statusId: 'Available' })).status,
      202,
    );
    assert.equal(
      (await self.request('PUT', `/status/user-statuses/${other}`, { statusId: 'Available' })).status,
      403,
    );
  });

  it('sends the watched users in full, then one delta per change', async () => {
    pair.directory.setStatus(other, { statusId: 'Available' });
    pair.directory.setStatus(agent, { statusId: 'Available' });
    const client = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
    const put = await client.request('PUT', '/messaging/subscriptions/status/user-statuses', {
      userIds: [agent, other.toUpperCase()],
    });
    assert.equal(put.status, 204);
    const [initial] = await client.poll();
    assert.equal(initial.__type, userStatusMessage);
    assert.equal(initial.isDelta, false);
    assert.deepEqual(initial.userStatusList.map((s: any) => s.userId).sort(), [agent, other].sort());

    await admin.request('PUT', `/status/user-statuses/${other}`, { statusId: 'Gone Home' });
    pair.directory.setStatus(agent, { statusId: 'AcdAgentNotAnswering', loggedIn: true });
    pair.directory.setStatus(pair.directory.list()[4].configurationId.id, { statusId: 'Available' });
    const deltas = await client.poll();
    assert.deepEqual(
      deltas.map((m: any) => [m.isDelta, m.userStatusList[0].userId, m.userStatusList[0].statusId]),
      [
        [true, other, 'Gone Home'],
        [true, agent, 'AcdAgentNotAnswering'],
      ],
    );
    assert.equal(
      (await client.request('DELETE', '/messaging/subscriptions/status/user-statuses')).status,
      204,
    );
    pair.directory.setStatus(agent, { statusId: 'Available' });
    assert.deepEqual(await client.poll(), []);
  });
});
