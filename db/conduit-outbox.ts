import { sql } from 'kysely';
import type { Db } from './database';
import { conversationEvents, type ConversationEvent, type InteractionChange, type InteractionState } from '../domain/conversation-events';

/** Serialises the capture's writers, so positions commit in order and the export's cursor never skips one. */
const CAPTURE_LOCK = 0x636f6e64; // 'cond'

export interface CaptureResult {
  changes: number;
  events: number;
  /** Events whose id was already in the outbox (a replay). */
  repeated: number;
}

/**
 * Turns ICWS interaction changes into conversation events and writes them to the outbox, together with the
 * per-interaction state that de-duplicates them, in one transaction: either all of it is kept or none.
 * Changes are applied in the order given.
 */
export async function captureInteractionChanges(db: Db, changes: readonly InteractionChange[]): Promise<CaptureResult> {
  if (!changes.length) return { changes: 0, events: 0, repeated: 0 };
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${CAPTURE_LOCK})`.execute(trx);
    const ids = [...new Set(changes.map((c) => c.interactionId))];
    const rows = await sql<{ interaction_id: string; attributes: Record<string, string>; transitions: number; last_run: string | null; last_seq: string | null }>`
      SELECT interaction_id, attributes, transitions, last_run, last_seq FROM conduit_interactions WHERE interaction_id = ANY(${ids}::text[])`.execute(trx);
    const states = new Map<string, InteractionState>(
      rows.rows.map((r) => [
        r.interaction_id,
        { attributes: r.attributes, transitions: r.transitions, ...(r.last_run && { applied: { run: r.last_run, n: Number(r.last_seq) } }) },
      ]),
    );
    const events: ConversationEvent[] = [];
    const touched = new Set<string>();
    for (const change of changes) {
      if (change.change === 'removed' && !states.has(change.interactionId)) continue;
      const next = conversationEvents(states.get(change.interactionId), change);
      states.set(change.interactionId, next.state);
      touched.add(change.interactionId);
      events.push(...next.events);
    }
    if (touched.size) {
      const list = [...touched];
      await sql`
        INSERT INTO conduit_interactions (interaction_id, attributes, transitions, last_run, last_seq, updated_at)
        SELECT t.id, t.attrs::jsonb, t.n, t.run, t.seq, now()
        FROM unnest(${list}::text[], ${list.map((id) => JSON.stringify(states.get(id)!.attributes))}::text[], ${list.map((id) => states.get(id)!.transitions)}::int[],
                    ${list.map((id) => states.get(id)!.applied?.run ?? null)}::text[], ${list.map((id) => states.get(id)!.applied?.n ?? null)}::bigint[]) AS t(id, attrs, n, run, seq)
        ON CONFLICT (interaction_id) DO UPDATE SET attributes = excluded.attributes, transitions = excluded.transitions,
          last_run = excluded.last_run, last_seq = excluded.last_seq, updated_at = now()`.execute(trx);
    }
    let inserted = 0;
    if (events.length) {
      // WITH ORDINALITY keeps the order of the events in their positions.
      const r = await sql`
        INSERT INTO conduit_outbox (event_id, interaction_id, event_type, occurred_at, attributes)
        SELECT t.event_id, t.interaction_id, t.event_type, t.occurred_at, t.attrs::jsonb
        FROM unnest(${events.map((e) => e.eventId)}::text[], ${events.map((e) => e.interactionId)}::text[],
                    ${events.map((e) => e.eventType)}::text[], ${events.map((e) => e.occurredAt)}::timestamptz[],
                    ${events.map((e) => JSON.stringify(e.attributes))}::text[]) WITH ORDINALITY AS t(event_id, interaction_id, event_type, occurred_at, attrs, n)
        ORDER BY t.n
        ON CONFLICT (event_id) DO NOTHING`.execute(trx);
      inserted = Number(r.numAffectedRows ?? 0);
    }
    return { changes: changes.length, events: inserted, repeated: events.length - inserted };
  });
}

export interface OutboxEvent {
  position: number;
  event: ConversationEvent;
}

const rowToEvent = (r: { position: string; event_id: string; interaction_id: string; event_type: string; occurred_at: Date; attributes: Record<string, unknown> }): OutboxEvent => ({
  position: Number(r.position),
  event: {
    eventId: r.event_id,
    interactionId: r.interaction_id,
    eventType: r.event_type as ConversationEvent['eventType'],
    occurredAt: r.occurred_at.toISOString(),
    attributes: r.attributes as ConversationEvent['attributes'],
  },
});

/** Events after `position`, in order; with `range`, only those that occurred in it. `toPosition` bounds the read. */
export async function readOutbox(
  db: Db,
  opts: { after: number; limit: number; toPosition?: number; range?: { from: string; to: string } },
): Promise<OutboxEvent[]> {
  let q = db
    .selectFrom('conduit_outbox')
    .select(['position', 'event_id', 'interaction_id', 'event_type', 'occurred_at', 'attributes'])
    .where('position', '>', String(opts.after))
    .orderBy('position')
    .limit(opts.limit);
  if (opts.toPosition !== undefined) q = q.where('position', '<=', String(opts.toPosition));
  if (opts.range) q = q.where('occurred_at', '>=', new Date(opts.range.from)).where('occurred_at', '<', new Date(opts.range.to));
  return (await q.execute()).map(rowToEvent);
}

export async function readCursor(db: Db): Promise<number> {
  const row = await db.selectFrom('conduit_cursor').select('position').where('id', '=', 1).executeTakeFirst();
  return Number(row?.position ?? 0);
}

/** The outbox beyond the cursor: how many events, and when the oldest of them was captured. */
export async function outboxBacklog(db: Db): Promise<{ events: number; oldestCapturedAt: Date | null; lastPosition: number }> {
  const r = await sql<{ events: string; oldest: Date | null; last: string | null }>`
    SELECT count(*) AS events, min(captured_at) AS oldest, (SELECT max(position) FROM conduit_outbox) AS last
    FROM conduit_outbox WHERE position > coalesce((SELECT position FROM conduit_cursor WHERE id = 1), 0)`.execute(db);
  const row = r.rows[0];
  return { events: Number(row.events), oldestCapturedAt: row.oldest, lastPosition: Number(row.last ?? 0) };
}

/** Drops what was exported more than `days` ago (and interaction state not touched since), the retention limit. */
export async function pruneConduit(db: Db, days: number): Promise<number> {
  const cursor = await readCursor(db);
  const r = await sql`DELETE FROM conduit_outbox WHERE position <= ${cursor} AND captured_at < now() - make_interval(days => ${days})`.execute(db);
  await sql`DELETE FROM conduit_interactions WHERE updated_at < now() - make_interval(days => ${days})`.execute(db);
  await sql`DELETE FROM conduit_batches WHERE status <> 'pending' AND acked_at < now() - make_interval(days => ${days})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
