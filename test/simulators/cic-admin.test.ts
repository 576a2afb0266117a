import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient, postConnection } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });

describe('CIC simulator: admin API', () => {
  let pair: CicSimulatorPair;
  let watcher: IcwsTestClient;

  before(async () => {
    pair = await startCicSimulatorPair({
      directory: { count: 20, seed: 4 },
      pureCloudAdminPassword: 'secret-1',
      logger: silent,
    });
    watcher = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'secret-1',
    });
    await watcher.request('PUT', '/messaging/subscriptions/configuration/users/w', {
      configurationIds: ['*'],
      properties: ['personalInformationProperties', 'extension'],
    });
    await watcher.poll();
  });
  after(() => pair.close());

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${pair.urls.admin}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  it('adds, changes, removes and restores users, each seen by subscribers', async () => {
    const added = await call('POST', '/__admin/users', {
      id: 'ops.new',
      personalInformationProperties: {
        givenName: 'Ops',
        surname: 'New',
        emailAddress: 'ops.new@example.com',
      },
      password: 'pw-1',
    });
    assert.equal(added.status, 201);
    assert.equal(added.body.configurationId.displayName, 'ops.new');
    assert.equal((await call('POST', '/__admin/users', { id: 'OPS.NEW' })).status, 409);
    assert.equal(
      (await postConnection(pair.urls.primary, { userID: 'ops.new', password: 'pw-1' })).status,
      201,
    );

    const changed = await call('PATCH', '/__admin/users/ops.new', {
      personalInformationProperties: {
        displayName: 'Ops New',
        emailAddress: null,
        businessNumber: '(317) 555-0100',
      },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.configurationId.displayName, 'Ops New');
    assert.equal(changed.body.personalInformationProperties.emailAddress, undefined);
    assert.equal(
      (await call('PATCH', '/__admin/users/ops.new', { personalInformationProperties: { shoeSize: '9' } }))
        .status,
      400,
    );

    assert.equal((await call('DELETE', '/__admin/users/ops.new')).status, 200);
    assert.equal((await call('GET', '/__admin/users/ops.new')).status, 404);
    assert.equal((await call('POST', '/__admin/users/ops.new/restore')).status, 200);
    assert.equal((await call('DELETE', '/__admin/users/ghost')).status, 404);

    const messages = await watcher.poll();
    assert.deepEqual(
      messages.map((m: any) => [m.added.length, m.changed.length, m.removed.length]),
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
      ],
    );
    assert.equal(messages[1].changed[0].personalInformationProperties.emailAddress, null);
  });

  it('sets passwords and statuses', async () => {
    assert.equal(
      (await call('PUT', '/__admin/users/PureCloudAdmin/password', { password: 'secret-2' })).status,
      204,
    );
    assert.equal(
      (await postConnection(pair.urls.primary, { userID: 'PureCloudAdmin', password: 'secret-1' })).status,
      400,
    );
    assert.equal(
      (await postConnection(pair.urls.primary, { userID: 'PureCloudAdmin', password: 'secret-2' })).status,
      201,
    );
    const status = await call('PUT', '/__admin/users/ops.new/status', {
      statusId: 'AcdAgentNotAnswering',
      loggedIn: true,
    });
    assert.equal(status.status, 200);
    assert.equal(status.body.statusId, 'AcdAgentNotAnswering');
    assert.equal((await call('PUT', '/__admin/users/ops.new/status', { statusId: 'Napping' })).status, 400);
  });

  it('replaces the directory from a seed and announces the difference in one message', async () => {
    await watcher.poll();
    const res = await call('POST', '/__admin/directory', { count: 40, seed: 99, noEmailShare: 0.25 });
    assert.equal(res.status, 200);
    assert.equal(pair.directory.size, 40);
    const [message] = await watcher.poll();
    assert.equal(message.isDelta, true);
    assert.equal(message.added.length, res.body.added);
    assert.equal(message.removed.length, res.body.removed);
    assert.ok(pair.directory.get('PureCloudAdmin'));
    assert.equal((await call('POST', '/__admin/directory', { count: 0, seed: 1 })).status, 400);
  });

  it('lists sessions and counts requests by route', async () => {
    await call('DELETE', '/__admin/requests');
    await watcher.request('GET', '/configuration/users');
    await watcher.request('GET', '/configuration/users');
    await watcher.request('GET', '/configuration/users/PureCloudAdmin');
    const counts = await call('GET', '/__admin/requests');
    assert.equal(counts.body.total['GET /icws/{sessionId}/configuration/users'], 2);
    assert.equal(counts.body.byServer['cic-a']['GET /icws/{sessionId}/configuration/users/{id}'], 1);

    const sessions = await call('GET', '/__admin/sessions');
    const mine = sessions.body.find((s: any) => s.sessionId === watcher.sessionId);
    assert.deepEqual(mine.subscriptions, ['configuration/users/w']);
    assert.equal(mine.server, 'cic-a');
    assert.equal((await call('DELETE', `/__admin/sessions/${watcher.sessionId}`)).status, 204);
    assert.equal((await watcher.request('GET', '/messaging/messages')).status, 401);

    const state = await call('GET', '/__admin/state');
    assert.equal(state.body.users, 40);
    assert.deepEqual(
      state.body.servers.map((s: any) => [s.name, s.role, s.up]),
      [
        ['cic-a', 'primary', true],
        ['cic-b', 'backup', true],
      ],
    );
  });
});
