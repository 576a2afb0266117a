import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });
const queueMessage = 'urn:inin.com:queues:queueContentsMessage';
const attributeNames = [
  'Eic_State',
  'Eic_CallStateString',
  'Eic_ObjectType',
  'Eic_CallDirection',
  'Eic_RemoteName',
  'Eic_RemoteAddress',
  'Eic_WorkgroupName',
  'Eic_UserName',
  'Eic_InitiationTime',
  'Eic_TerminationTime',
  'Eic_ConnectDurationTime',
  'Eic_CallId',
];

describe('CIC simulator: interactions and queue subscriptions', () => {
  let pair: CicSimulatorPair;
  let client: IcwsTestClient;
  let agent: string;

  before(async () => {
    pair = await startCicSimulatorPair({ directory: { count: 10, seed: 9 }, logger: silent });
    agent = pair.directory.list()[2].configurationId.id;
    client = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
  });
  after(() => pair.close());

  async function adminPost(path: string, body: unknown = {}) {
    const res = await fetch(`${pair.urls.admin}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('shows an ACD call on the workgroup queue and then the agent queue, through every state', async () => {
    await client.request('PUT', '/messaging/subscriptions/queues/wg', {
      queueIds: [{ queueType: 2, queueName: 'Support' }],
      attributeNames,
    });
    await client.request('PUT', '/messaging/subscriptions/queues/agent', {
      queueIds: [{ queueType: 1, queueName: agent }],
      attributeNames: ['eic_state', 'Eic_UserName'],
    });
    const initial = await client.poll();
    assert.deepEqual(
      initial.map((m: any) => [m.__type, m.subscriptionId, m.isDelta, m.interactionsAdded.length]),
      [
        [queueMessage, 'wg', false, 0],
        [queueMessage, 'agent', false, 0],
      ],
    );

    const started = await adminPost('/__admin/interactions', {
      type: 'call',
      workgroup: 'Support',
      userId: agent,
      remoteName: 'Ada Caller',
      remoteAddress: '+13175550177',
    });
    assert.equal(started.status, 201);
    const id = started.body.interactionId;
    assert.match(id, /^\d{10}$/);
    const [offered] = await client.poll();
    assert.equal(offered.subscriptionId, 'wg');
    assert.deepEqual(offered.interactionsAdded[0].interactionId, id);
    const attrs = offered.interactionsAdded[0].attributes;
    assert.equal(attrs.Eic_State, 'O');
    assert.equal(attrs.Eic_ObjectType, 'Call');
    assert.equal(attrs.Eic_CallDirection, 'I');
    assert.equal(attrs.Eic_RemoteName, 'Ada Caller');
    assert.equal(attrs.Eic_RemoteAddress, '+13175550177');
    assert.equal(attrs.Eic_WorkgroupName, 'Support');
    assert.equal(attrs.Eic_CallId, id);
    assert.match(attrs.Eic_InitiationTime, /^\d{8}T\d{6}Z$/);
    assert.equal(attrs.Eic_UserName, undefined, 'not yet assigned');

    await adminPost(`/__admin/interactions/${id}/advance`);
    const alerting = await client.poll();
    const wgChange = alerting.find((m: any) => m.subscriptionId === 'wg');
    const agentAdd = alerting.find((m: any) => m.subscriptionId === 'agent');
    assert.deepEqual(wgChange.interactionsChanged[0].attributes, {
      Eic_State: 'A',
      Eic_CallStateString: 'Alerting',
      Eic_UserName: agent,
    });
    assert.deepEqual(
      agentAdd.interactionsAdded[0].attributes,
      { eic_state: 'A', Eic_UserName: agent },
      'names come back as asked',
    );

    await adminPost(`/__admin/interactions/${id}/advance`);
    const connected = (await client.poll()).find((m: any) => m.subscriptionId === 'wg');
    assert.equal(connected.interactionsChanged[0].attributes.Eic_State, 'C');
    assert.equal((await client.request('GET', `/status/user-statuses/${agent}`)).body.onPhone, true);

    await adminPost(`/__admin/interactions/${id}/advance`, { disconnectedBy: 'agent' });
    const ended = (await client.poll()).find((m: any) => m.subscriptionId === 'wg');
    assert.equal(ended.interactionsChanged[0].attributes.Eic_State, 'I');
    assert.match(ended.interactionsChanged[0].attributes.Eic_TerminationTime, /^\d{8}T\d{6}Z$/);
    assert.equal((await client.request('GET', `/status/user-statuses/${agent}`)).body.onPhone, false);

    await adminPost(`/__admin/interactions/${id}/advance`);
    const removed = await client.poll();
    assert.deepEqual(
      removed.map((m: any) => [m.subscriptionId, m.interactionsRemoved]),
      [
        ['wg', [id]],
        ['agent', [id]],
      ],
    );
    assert.equal((await adminPost(`/__admin/interactions/${id}/advance`)).status, 404);
  });

  it('auto-runs a chat to the agent through its lifecycle, visible over server-sent events', async () => {
    const watcher = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
    await watcher.request('PUT', '/messaging/subscriptions/queues/q', {
      queueIds: [{ queueType: 1, queueName: agent }],
      attributeNames: ['Eic_State', 'Eic_ObjectType'],
    });
    const stream = await watcher.openEventStream();
    const started = await adminPost('/__admin/interactions', {
      type: 'chat',
      userId: agent,
      autoRunStepMs: 10,
    });
    const id = started.body.interactionId;
    const added = await stream.waitFor((m) => m.interactionsAdded?.[0]?.interactionId === id);
    assert.deepEqual(added.interactionsAdded[0].attributes, { Eic_State: 'O', Eic_ObjectType: 'Chat' });
    const states: string[] = [];
    await stream.waitFor((m) => {
      const change = m.interactionsChanged?.find((c: any) => c.interactionId === id);
      if (change && !states.includes(change.attributes.Eic_State)) states.push(change.attributes.Eic_State);
      return m.interactionsRemoved?.includes(id);
    });
    assert.deepEqual(states, ['A', 'C', 'E']);
    stream.close();
  });

  it('reads attributes ad hoc and refuses an unknown user queue', async () => {
    const started = await adminPost('/__admin/interactions', { type: 'email', userId: agent });
    const res = await client.request(
      'GET',
      `/interactions/${started.body.interactionId}?select=Eic_ObjectType,Eic_State`,
    );
    assert.deepEqual(res.body.attributes, { Eic_ObjectType: 'Email', Eic_State: 'O' });
    const bad = await client.request('PUT', '/messaging/subscriptions/queues/x', {
      queueIds: [{ queueType: 1, queueName: 'ghost' }],
      attributeNames: ['Eic_State'],
    });
    assert.equal(bad.status, 400);
    assert.equal(
      (await adminPost(`/__admin/interactions/${started.body.interactionId}/advance`, { to: 'held' })).status,
      400,
    );
  });
});
