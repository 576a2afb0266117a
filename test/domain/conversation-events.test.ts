import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conversationEvents, type InteractionChange, type InteractionState } from '../../domain/conversation-events';

const at = '2026-12-02T10:00:00.000Z';
function run(changes: Omit<InteractionChange, 'at' | 'interactionId'>[], start?: InteractionState) {
  let state = start;
  const out: { type: string; id: string; attrs: Record<string, unknown> }[] = [];
  for (const c of changes) {
    const r = conversationEvents(state, { ...c, interactionId: '1001', at });
    state = r.state;
    out.push(...r.events.map((e) => ({ type: e.eventType, id: e.eventId, attrs: e.attributes })));
  }
  return { events: out, state };
}

describe('ICWS interaction changes → conversation events', () => {
  it('an ACD call: created, queued, alerting, connected, held, connected, disconnected; removal adds nothing', () => {
    const { events } = run([
      { change: 'added', attributes: { Eic_State: 'O', Eic_ObjectType: 'Call', Eic_CallDirection: 'I', Eic_WorkgroupName: 'Support', Eic_InitiationTime: '20261202T095959Z' } },
      { change: 'changed', attributes: { Eic_State: 'A', Eic_UserName: 'ada' } },
      { change: 'changed', attributes: { Eic_State: 'C' } },
      { change: 'changed', attributes: { Eic_State: 'H' } },
      { change: 'changed', attributes: { Eic_State: 'C' } },
      { change: 'changed', attributes: { Eic_State: 'E', Eic_TerminationTime: '20261202T100500Z', Eic_ConnectDurationTime: '300' } },
      { change: 'removed', attributes: {} },
    ]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['created', 'queued', 'alerting', 'connected', 'held', 'connected', 'disconnected'].map((t) => `conversation.${t}`),
    );
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'the second connected has an id of its own');
    const last = events[events.length - 1].attrs;
    assert.deepEqual(
      { ...last },
      { mediaType: 'voice', direction: 'inbound', workgroup: 'Support', agent: 'ada', state: null, initiatedAt: '2026-12-02T09:59:59.000Z', terminatedAt: '2026-12-02T10:05:00.000Z', connectedSeconds: 300 },
    );
  });

  it('a new agent while connected is a transfer', () => {
    const { events } = run([
      { change: 'added', attributes: { Eic_State: 'C', Eic_ObjectType: 'Chat', Eic_UserName: 'ada' } },
      { change: 'changed', attributes: { Eic_UserName: 'bob' } },
    ]);
    assert.deepEqual(events.map((e) => e.type), ['conversation.created', 'conversation.connected', 'conversation.transferred']);
    assert.equal(events[2].attrs.agent, 'bob');
    assert.equal(events[2].attrs.mediaType, 'chat');
  });

  it('the same ids whenever the same steps are seen: a repeated snapshot makes no event', () => {
    const a = run([{ change: 'added', attributes: { Eic_State: 'A', Eic_UserName: 'ada' } }]);
    const b = run([{ change: 'added', attributes: { Eic_State: 'A', Eic_UserName: 'ada' } }]);
    assert.deepEqual(a.events.map((e) => e.id), b.events.map((e) => e.id));
    const again = conversationEvents(a.state, { change: 'added', interactionId: '1001', attributes: { Eic_State: 'A' }, at });
    assert.deepEqual(again.events, []);
  });

  it('a change at or before the last one applied in the same watch run is skipped', () => {
    const first = conversationEvents(undefined, { change: 'added', interactionId: '1001', attributes: { Eic_State: 'O' }, at, seq: { run: 'r', n: 5 } });
    const older = conversationEvents(first.state, { change: 'changed', interactionId: '1001', attributes: { Eic_State: 'A' }, at, seq: { run: 'r', n: 5 } });
    assert.deepEqual(older.events, []);
    const newer = conversationEvents(first.state, { change: 'changed', interactionId: '1001', attributes: { Eic_State: 'A' }, at, seq: { run: 'r', n: 6 } });
    assert.deepEqual(newer.events.map((e) => e.eventType), ['conversation.alerting']);
  });
});
