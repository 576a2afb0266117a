import assert from 'node:assert/strict';
import { eventually, type BridgeHarness } from './bridge-harness';
import { enableConduit } from '../../operations/conduit';

export interface Generated {
  interactionId: string;
  /** The lifecycle the Conduit must deliver, in order. */
  expected: string[];
}

/** Switches the Conduit on and waits until the watch has reconnected with the queue subscription. */
export async function enableAndWaitForCapture(h: BridgeHarness, workgroups = ['Support']): Promise<void> {
  await enableConduit({ db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue }, { workgroups });
  await eventually(
    'the watch subscribed to the conduit queues',
    async () => {
      const sessions: { applicationName: string; subscriptions: string[] }[] = await h.cicAdmin('GET', '/__admin/sessions');
      return sessions.some((s) => s.applicationName.includes('watch') && s.subscriptions.includes('queues/cloud-bridge-conduit'));
    },
    30_000,
  );
  // The users' own queues join the subscription once the directory's first message is in.
  await new Promise((r) => setTimeout(r, 1_000));
}

/**
 * Starts `count` interactions in the CIC simulator, each run through its whole lifecycle every `stepMs`:
 * ACD calls through the Support workgroup (created, queued, alerting, connected, disconnected) and direct
 * chats to an agent (created, alerting, connected, disconnected).
 */
export async function generateInteractions(h: BridgeHarness, count: number, stepMs = 30): Promise<Generated[]> {
  const agents = h.cic.directory.list().map((u) => u.configurationId.id).filter((id) => id !== 'PureCloudAdmin');
  const out: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const acd = i % 2 === 0;
    const started = await h.cicAdmin('POST', '/__admin/interactions', {
      type: acd ? 'call' : 'chat',
      userId: agents[i % agents.length],
      ...(acd && { workgroup: 'Support' }),
      autoRunStepMs: stepMs,
    });
    out.push({
      interactionId: started.interactionId,
      expected: acd
        ? ['conversation.created', 'conversation.queued', 'conversation.alerting', 'conversation.connected', 'conversation.disconnected']
        : ['conversation.created', 'conversation.alerting', 'conversation.connected', 'conversation.disconnected'],
    });
  }
  return out;
}

export async function conduitReceived(h: BridgeHarness): Promise<{ total: number; duplicatesReceived: number; events: any[]; batches: any[] }> {
  return h.genesysAdmin('GET', '/__admin/conduit/events');
}

/** Waits until every generated interaction's lifecycle is at the simulator's conduit, then checks it. */
export async function assertDeliveredOnce(h: BridgeHarness, generated: Generated[], timeoutMs = 60_000): Promise<void> {
  const want = generated.reduce((n, g) => n + g.expected.length, 0);
  const ids = new Set(generated.map((g) => g.interactionId));
  const received = await eventually(
    `${want} conversation events at the conduit`,
    async () => {
      const r = await conduitReceived(h);
      return r.events.filter((e) => ids.has(e.interactionId)).length >= want ? r : undefined;
    },
    timeoutMs,
  );
  const byInteraction = new Map<string, string[]>();
  for (const e of received.events) if (ids.has(e.interactionId)) byInteraction.set(e.interactionId, [...(byInteraction.get(e.interactionId) ?? []), e.eventType]);
  for (const g of generated) assert.deepEqual(byInteraction.get(g.interactionId), g.expected, `interaction ${g.interactionId}: once each, in order`);
  assert.equal(received.duplicatesReceived, 0, 'no event reached Genesys twice');
}
