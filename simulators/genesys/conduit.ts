import { createHash } from 'node:crypto';
import { ApiError, isRecord, jsonBody, send, type Ctx } from './http';
import type { StoredEvent } from './store';

/**
 * Conduit ingestion, modelled on Genesys's journey external-events API (`POST .../events`, events older
 * than a set age refused) since the real Conduit transport is not public: `POST /api/v2/conduit/events`.
 * Each event is stored once by eventId; a repeat is answered `duplicate` and counted. The whole batch is
 * 200 when nothing was rejected and 207 when any event was. `Idempotency-Key` replays the first response for
 * the same body without touching state, and refuses the same key with a different body (422).
 */

const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const FUTURE_SKEW_MS = 60_000;

type EventResult = { eventId: string | null; status: 'created' | 'duplicate' | 'rejected'; reason?: string };

function checkEvent(ev: unknown, now: number, maxAgeSeconds: number): string | StoredEvent {
  if (!isRecord(ev)) return 'event must be an object';
  const { eventId, interactionId, eventType, occurredAt, attributes } = ev;
  if (typeof eventId !== 'string' || eventId === '' || eventId.length > 128)
    return 'eventId is required (1-128 characters)';
  if (typeof interactionId !== 'string' || interactionId === '') return 'interactionId is required';
  if (typeof eventType !== 'string' || !EVENT_TYPE.test(eventType))
    return 'eventType is required (letters, digits, _ . -)';
  if (
    typeof occurredAt !== 'string' ||
    !ISO_INSTANT.test(occurredAt) ||
    Number.isNaN(Date.parse(occurredAt))
  ) {
    return 'occurredAt must be an ISO-8601 instant with a time zone';
  }
  const at = Date.parse(occurredAt);
  if (now - at > maxAgeSeconds * 1000) return `occurredAt is older than ${maxAgeSeconds} seconds`;
  if (at - now > FUTURE_SKEW_MS) return 'occurredAt is in the future';
  if (attributes !== undefined) {
    if (!isRecord(attributes)) return 'attributes must be an object';
    for (const [k, v] of Object.entries(attributes)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v))
        return `attribute ${k} must be a string, number, boolean or null`;
    }
  }
  return {
    eventId,
    interactionId,
    eventType,
    occurredAt,
    attributes: (attributes as Record<string, unknown>) ?? {},
    batchId: '',
    receivedAt: '',
    duplicatesReceived: 0,
  };
}

export function postConduitEvents(ctx: Ctx): void {
  const key = ctx.req.headers['idempotency-key'];
  if (Array.isArray(key)) throw new ApiError(400, 'Send one Idempotency-Key header.');
  if (key !== undefined && (key === '' || key.length > 255))
    throw new ApiError(400, 'Idempotency-Key must be 1-255 characters.');
  const bodyHash = createHash('sha256')
    .update(ctx.body ?? Buffer.alloc(0))
    .digest('hex');
  const state = ctx.state;
  if (key !== undefined) {
    const prior = state.idempotency.get(key);
    if (prior) {
      if (prior.bodyHash !== bodyHash) {
        throw new ApiError(422, 'This Idempotency-Key was already used with a different request body.', {
          code: 'idempotency.key.reused',
        });
      }
      send(ctx, prior.status, prior.body, { 'Idempotent-Replayed': 'true' });
      return;
    }
  }
  const body = jsonBody(ctx);
  if (!isRecord(body)) throw new ApiError(400, 'The body must be a JSON object.');
  const { batchId, events } = body;
  if (typeof batchId !== 'string' || batchId === '' || batchId.length > 128)
    throw new ApiError(400, 'batchId is required (1-128 characters).');
  const max = state.settings.conduitMaxEventsPerBatch;
  if (!Array.isArray(events) || events.length === 0)
    throw new ApiError(400, 'events must be a non-empty array.');
  if (events.length > max) throw new ApiError(400, `At most ${max} events per batch; got ${events.length}.`);

  const now = Date.now();
  const receivedAt = new Date(now).toISOString();
  const results: EventResult[] = events.map((raw) => {
    const checked = checkEvent(raw, now, state.settings.conduitMaxEventAgeSeconds);
    if (typeof checked === 'string') {
      const id = isRecord(raw) && typeof raw.eventId === 'string' ? raw.eventId : null;
      return { eventId: id, status: 'rejected', reason: checked };
    }
    const existing = state.conduitEvents.get(checked.eventId);
    if (existing) {
      existing.duplicatesReceived++;
      state.conduitDuplicatesReceived++;
      return { eventId: checked.eventId, status: 'duplicate' };
    }
    state.conduitEvents.set(checked.eventId, { ...checked, batchId, receivedAt });
    return { eventId: checked.eventId, status: 'created' };
  });
  const count = (s: EventResult['status']) => results.filter((r) => r.status === s).length;
  state.conduitBatches.push({
    batchId,
    receivedAt,
    idempotencyKey: key,
    created: count('created'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
  });
  const status = count('rejected') > 0 ? 207 : 200;
  const response = { batchId, results };
  if (key !== undefined) state.idempotency.set(key, { bodyHash, status, body: response });
  send(ctx, status, response);
}
