import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient, postConnection } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });
const admin = { userID: 'PureCloudAdmin', password: 'admin-pass' };

describe('CIC simulator: switchover pair', () => {
  let pair: CicSimulatorPair;

  beforeEach(async () => {
    pair = await startCicSimulatorPair({ directory: { count: 10, seed: 2 }, logger: silent });
  });
  afterEach(() => pair.close());

  it('ends every session on the old primary, closes its streams, and swaps roles', async () => {
    const oldPrimary = pair.urls.primary;
    const oldBackup = pair.urls.backup;
    const polling = await IcwsTestClient.connect(oldPrimary, admin);
    const streaming = await IcwsTestClient.connect(oldPrimary, admin);
    const stream = await streaming.openEventStream();
    assert.equal(pair.servers.a.sessions.get(streaming.sessionId)?.streaming, true);

    await pair.switchover();

    await stream.waitForEnd();
    const poll = await polling.request('GET', '/messaging/messages');
    assert.equal(poll.status, 401);
    assert.equal(poll.headers.get('www-authenticate'), 'ICWS realm="ICWS" location="/ICWS/connection"');
    assert.equal(pair.urls.primary, oldBackup);
    assert.equal(pair.urls.backup, oldPrimary);

    const refused = await postConnection(oldPrimary, admin);
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body.alternateHostList, [new URL(oldBackup).host]);

    const again = await IcwsTestClient.connect(`http://${refused.body.alternateHostList[0]}`, admin);
    assert.equal(again.connection.icServer, 'cic-b');
    assert.deepEqual(again.connection.alternateHostList, [new URL(oldPrimary).host]);
    assert.equal(
      (await again.request('GET', '/configuration/users/PureCloudAdmin')).status,
      200,
      'same directory behind both',
    );
  });

  it('switches over through the admin API and back again', async () => {
    const first = await fetch(`${pair.urls.admin}/__admin/switchover`, { method: 'POST' });
    assert.equal(first.status, 200);
    assert.deepEqual(
      ((await first.json()) as any).servers.map((s: any) => [s.name, s.role]),
      [
        ['cic-a', 'backup'],
        ['cic-b', 'primary'],
      ],
    );
    await fetch(`${pair.urls.admin}/__admin/switchover`, { method: 'POST' });
    assert.equal((await postConnection(pair.servers.a.url, admin)).status, 201);
  });

  it('takes a server down (connection refused) and brings it back on the same port', async () => {
    const url = pair.urls.primary;
    const client = await IcwsTestClient.connect(url, admin);
    const down = await fetch(`${pair.urls.admin}/__admin/servers/primary/down`, { method: 'POST' });
    assert.equal(down.status, 200);
    await assert.rejects(
      fetch(`${url}/icws/connection/features`),
      (err: any) => err.cause?.code === 'ECONNREFUSED',
    );

    const refusedSwitch = await fetch(`${pair.urls.admin}/__admin/servers/backup/down`, { method: 'POST' });
    assert.equal(refusedSwitch.status, 200);
    assert.equal(
      (await fetch(`${pair.urls.admin}/__admin/switchover`, { method: 'POST' })).status,
      409,
      'nothing to switch to',
    );

    await pair.setServerUp('a', true);
    await pair.setServerUp('b', true);
    assert.equal(
      (await client.request('GET', '/connection')).status,
      401,
      'sessions do not survive a restart',
    );
    assert.equal((await postConnection(url, admin)).status, 201);
  });

  it('fails over when the primary dies: the backup takes over and the old primary returns as backup', async () => {
    const [a, b] = [pair.servers.a.url, pair.servers.b.url];
    await pair.setServerUp('primary', false);
    await pair.switchover();
    assert.equal((await postConnection(b, admin)).status, 201);
    await pair.setServerUp('a', true);
    const res = await postConnection(a, admin);
    assert.equal(res.status, 503);
    assert.deepEqual(res.body.alternateHostList, [new URL(b).host]);
  });
});
