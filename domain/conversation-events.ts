import { createHash } from 'node:crypto';
import { icwsDateToIso } from '../clients/cic/types';

/**
 * ICWS interaction changes → Conduit conversation events. ICWS reports an interaction as added to the
 * watched queues, then as changed (only the attributes that changed), then removed; a conversation event is
 * a lifecycle step: created, queued, alerting, connected, held, transferred, disconnected. What was known of
 * the interaction (`InteractionState`) is kept by the caller between changes, so each event carries the
 * whole picture (media type, direction, workgroup, agent, timing), and a repeated or replayed message (a
 * reconnect's snapshot, a redelivery) finds nothing new and makes no event.
 */

export const conversationEventTypes = ['created', 'queued', 'alerting', 'connected', 'held', 'transferred', 'disconnected'] as const;
export type ConversationEventType = (typeof conversationEventTypes)[number];

/** The ICWS attributes the capture reads: the queue subscription asks for exactly these. */
export const INTERACTION_ATTRIBUTES = [
  'Eic_State',
  'Eic_CallStateString',
  'Eic_ObjectType',
  'Eic_CallDirection',
  'Eic_WorkgroupName',
  'Eic_UserName',
  'Eic_InitiationTime',
  'Eic_TerminationTime',
  'Eic_ConnectDurationTime',
  'Eic_CallId',
] as const;

export interface InteractionChange {
  change: 'added' | 'changed' | 'removed';
  interactionId: string;
  attributes: Record<string, string>;
  /** When the watch received it (ISO-8601). */
  at: string;
  /** Its place in the watch run that saw it: a change at or before the last one applied is a repeat. */
  seq?: { run: string; n: number };
}

export interface InteractionState {
  attributes: Record<string, string>;
  /** Lifecycle steps seen so far; the n-th step's event id is derived from n, so a repeat of it is the same event. */
  transitions: number;
  applied?: { run: string; n: number };
}

export type EventAttributes = Record<string, string | number | boolean | null>;

export interface ConversationEvent {
  eventId: string;
  interactionId: string;
  eventType: `conversation.${ConversationEventType}`;
  occurredAt: string;
  attributes: EventAttributes;
}

const stepOfState: Record<string, ConversationEventType | undefined> = {
  A: 'alerting',
  C: 'connected',
  H: 'held',
  E: 'disconnected',
  I: 'disconnected',
};

const mediaTypes: Record<string, string> = { call: 'voice', chat: 'chat', email: 'email', callback: 'callback', 'generic object': 'message' };

/** The stable id of the `step`-th lifecycle step of an interaction. */
export function conversationEventId(interactionId: string, step: number, type: ConversationEventType): string {
  return createHash('sha256').update(`cic-interaction\0${interactionId}\0${step}\0${type}`).digest('base64url').slice(0, 32);
}

/** The picture an event carries: no remote party's name or number, which the Conduit does not need. */
export function eventAttributes(a: Record<string, string>): EventAttributes {
  const duration = Number(a.Eic_ConnectDurationTime);
  const out: EventAttributes = {
    mediaType: mediaTypes[(a.Eic_ObjectType ?? '').toLowerCase()] ?? (a.Eic_ObjectType || null),
    direction: a.Eic_CallDirection === 'O' ? 'outbound' : a.Eic_CallDirection === 'I' ? 'inbound' : null,
    workgroup: a.Eic_WorkgroupName || null,
    agent: a.Eic_UserName || null,
    state: a.Eic_CallStateString || null,
    initiatedAt: icwsDateToIso(a.Eic_InitiationTime) ?? null,
    terminatedAt: icwsDateToIso(a.Eic_TerminationTime) ?? null,
    connectedSeconds: Number.isFinite(duration) && a.Eic_ConnectDurationTime !== undefined ? duration : null,
  };
  if (a.Eic_CallId) out.callId = a.Eic_CallId;
  return out;
}

/** The lifecycle steps one change makes, given what was known before it. */
function steps(prior: InteractionState | undefined, merged: Record<string, string>): ConversationEventType[] {
  const before = prior?.attributes ?? {};
  const out: ConversationEventType[] = [];
  if (!prior) out.push('created');
  const state = merged.Eic_State;
  if (state !== before.Eic_State || !prior) {
    // Offering on a workgroup queue is an ACD interaction waiting for an agent.
    if (state === 'O' && merged.Eic_WorkgroupName) out.push('queued');
    const step = stepOfState[state ?? ''];
    if (step) out.push(step);
  } else if (prior && (state === 'C' || state === 'H')) {
    // A new agent (or workgroup) while the conversation goes on is a transfer.
    const agentMoved = before.Eic_UserName && merged.Eic_UserName !== before.Eic_UserName;
    const groupMoved = before.Eic_WorkgroupName && merged.Eic_WorkgroupName !== before.Eic_WorkgroupName;
    if (agentMoved || groupMoved) out.push('transferred');
  }
  return out;
}

/**
 * The events one ICWS change makes and the state to keep afterwards. A removal (the interaction left the
 * watched queues) ends nothing by itself: the disconnect before it is the step.
 */
export function conversationEvents(
  prior: InteractionState | undefined,
  change: InteractionChange,
): { state: InteractionState; events: ConversationEvent[] } {
  if (prior?.applied && change.seq && prior.applied.run === change.seq.run && change.seq.n <= prior.applied.n) return { state: prior, events: [] };
  const applied = change.seq ?? prior?.applied;
  if (change.change === 'removed') return { state: { attributes: {}, transitions: 0, ...prior, applied }, events: [] };
  const merged = { ...prior?.attributes, ...change.attributes };
  let transitions = prior?.transitions ?? 0;
  const events: ConversationEvent[] = steps(prior, merged).map((type) => {
    transitions++;
    return {
      eventId: conversationEventId(change.interactionId, transitions, type),
      interactionId: change.interactionId,
      eventType: `conversation.${type}`,
      occurredAt: change.at,
      attributes: eventAttributes(merged),
    };
  });
  return { state: { attributes: merged, transitions, applied }, events };
}
