import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });
const usersMessage = 'urn:inin.com:configuration.people:usersMessage';
const properties = ['configurationId', 'personalInformationProperties', 'extension'];
const now = '20240101T000000Z';

function newUser(id: string, email?: string) {
  return {
    configurationId: { id, displayName: id, uri: '' },
    personalInformationProperties: {
      givenName: 'New',
      surname: 'Person',
      emailAddress: email,
      mobileNumber: '+13175550100',
    },
    lastModifiedDate: now,
    createdDate: now,
  };
}

describe('CIC simulator: messaging and user subscriptions', () => {
  let pair: CicSimulatorPair;

  before(async () => {
    pair = await startCicSimulatorPair({
      directory: { count: 30, seed: 3 },
      logger: silent,
      pingIntervalMs: 50,
      sseRetryMs: 1234,
    });
  });
  after(() => pair.close());

  const connect = () =>
    IcwsTestClient.connect(pair.urls.primary, { userID: 'PureCloudAdmin', password: 'admin-pass' });

  it('short poll returns an empty array, then the initial user list and deltas for add, change and remove', async () => {
    const client = await connect();
    assert.deepEqual(await client.poll(), []);
    const put = await client.request('PUT', '/messaging/subscriptions/configuration/users/all-users', {
      configurationIds: ['*'],
      properties,
      rightsFilter: 'view',
    });
    assert.equal(put.status, 204);
    const [initial] = await client.poll();
    assert.equal(initial.__type, usersMessage);
    assert.equal(initial.isDelta, false);
    assert.equal(initial.subscriptionId, 'all-users');
    assert.equal(initial.added.length, pair.directory.size);
    assert.ok(
      initial.added.every((u: any) => u.lastModifiedDate === undefined),
      'only subscribed properties',
    );
    assert.deepEqual(await client.poll(), [], 'a poll drains the queue');

    pair.directory.add(newUser('poll.added', 'poll.added@example.com'));
    pair.directory.change('poll.added', {
      personalInformationProperties: { displayName: 'Polly Added', mobileNumber: null },
    });
    pair.directory.change('poll.added', { extension: '4242' });
    pair.directory.remove('poll.added');
    const [added, changed, extension, removed] = await client.poll();
    assert.equal(added.isDelta, true);
    assert.deepEqual(
      added.added.map((u: any) => u.configurationId.id),
      ['poll.added'],
    );
    assert.deepEqual(changed.changed, [
      {
        configurationId: {
          id: 'poll.added',
          displayName: 'Polly Added',
          uri: '/configuration/users/poll.added',
        },
        personalInformationProperties: {
          givenName: 'New',
          surname: 'Person',
          displayName: 'Polly Added',
          emailAddress: 'poll.added@example.com',
          mobileNumber: null,
        },
      },
    ]);
    assert.deepEqual(extension.changed[0].extension, '4242');
    assert.equal(
      extension.changed[0].personalInformationProperties,
      undefined,
      'unchanged properties stay out',
    );
    assert.deepEqual(removed.removed, [
      {
        configurationId: {
          id: 'poll.added',
          displayName: 'Polly Added',
          uri: '/configuration/users/poll.added',
        },
      },
    ]);
    pair.directory.restore('poll.added');
    const [restored] = await client.poll();
    assert.equal(restored.added[0].configurationId.id, 'poll.added');
  });

  it('watches listed ids only, sends nothing for changes outside the watched properties, and can be deleted', async () => {
    const client = await connect();
    const target = pair.directory.list()[5].configurationId.id;
    await client.request('PUT', '/messaging/subscriptions/configuration/users/one', {
      configurationIds: [target.toUpperCase()],
      properties: ['*'],
    });
    const [initial] = await client.poll();
    assert.deepEqual(
      initial.added.map((u: any) => u.configurationId.id),
      [target],
    );
    pair.directory.change(pair.directory.list()[6].configurationId.id, { extension: '999' });
    await client.request('PUT', '/messaging/subscriptions/configuration/users/email', {
      configurationIds: [target],
      properties: ['personalInformationProperties.emailAddress'],
    });
    await client.poll();
    pair.directory.change(target, { personalInformationProperties: { title: 'Chief Tester' } });
    const messages = await client.poll();
    assert.deepEqual(
      messages.map((m: any) => m.subscriptionId),
      ['one'],
      'a title change means nothing to an email watch',
    );
    assert.equal(
      (await client.request('DELETE', '/messaging/subscriptions/configuration/users/one')).status,
      204,
    );
    assert.equal(
      (await client.request('DELETE', '/messaging/subscriptions/configuration/users/one')).status,
      404,
    );
  });

  it("refuses '*' for both ids and properties", async () => {
    const client = await connect();
    const res = await client.request('PUT', '/messaging/subscriptions/configuration/users/x', {
      configurationIds: ['*'],
      properties: ['*'],
    });
    assert.equal(res.status, 400);
  });

  it('streams the same messages as server-sent events, with retry and :ping keepalives', async () => {
    const client = await connect();
    await client.request('PUT', '/messaging/subscriptions/configuration/users/sse', {
      configurationIds: ['*'],
      properties,
    });
    const stream = await client.openEventStream();
    assert.equal(stream.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const initial = await stream.waitFor((m) => m.isDelta === false);
    assert.equal(initial.added.length, pair.directory.size);
    pair.directory.add(newUser('sse.added'));
    pair.directory.change('sse.added', {
      personalInformationProperties: { emailAddress: 'sse.added@example.com' },
    });
    pair.directory.remove('sse.added');
    await stream.waitFor((m) => m.added?.[0]?.configurationId.id === 'sse.added');
    const change = await stream.waitFor((m) => m.changed?.[0]?.configurationId.id === 'sse.added');
    assert.equal(change.changed[0].personalInformationProperties.emailAddress, 'sse.added@example.com');
    await stream.waitFor((m) => m.removed?.[0]?.configurationId.id === 'sse.added');
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(stream.pings >= 1);
    assert.equal(stream.retry, 1234);
    assert.deepEqual(await client.poll(), [], 'nothing waits in the queue while a stream is open');
    stream.close();
  });

  it('ends a session whose queue passes the limit, as a slow consumer', async () => {
    const small = await startCicSimulatorPair({
      directory: { count: 5, seed: 1 },
      logger: silent,
      messageQueueLimit: 3,
    });
    try {
      const client = await IcwsTestClient.connect(small.urls.primary, {
        userID: 'PureCloudAdmin',
        password: 'admin-pass',
      });
      await client.request('PUT', '/messaging/subscriptions/configuration/users/s', {
        configurationIds: ['*'],
        properties,
      });
      const id = small.directory.list()[1].configurationId.id;
      for (let i = 0; i < 4; i++) small.directory.change(id, { extension: String(7000 + i) });
      const res = await client.request('GET', '/messaging/messages');
      assert.equal(res.status, 401);
      assert.equal(small.servers.a.sessions.size, 0);
    } finally {
      await small.close();
    }
  });
});
