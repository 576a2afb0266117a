import { sql } from 'kysely';
import type { Db } from './database';

export interface ConduitBatch {
  id: string;
  kind: 'export' | 'backfill';
  backfillId: string | null;
  range: { from: string; to: string } | null;
  fromPosition: number;
  toPosition: number;
  events: number;
  bytes: number;
  idempotencyKey: string;
  status: 'pending' | 'acked' | 'refused';
  results?: { created: number; duplicates: number; rejected: number };
  failure?: string | null;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  ackedAt: string | null;
}

type Row = {
  id: string;
  kind: 'export' | 'backfill';
  backfill_id: string | null;
  range_from: Date | null;
  range_to: Date | null;
  from_position: string;
  to_position: string;
  events: number;
  bytes: number;
  idempotency_key: string;
  status: ConduitBatch['status'];
  created: number | null;
  duplicates: number | null;
  rejected: number | null;
  failure: string | null;
  attempts: number;
  created_at: Date;
  sent_at: Date | null;
  acked_at: Date | null;
};

function toBatch(r: Row): ConduitBatch {
  return {
    id: r.id,
    kind: r.kind,
    backfillId: r.backfill_id,
    range: r.range_from && r.range_to ? { from: r.range_from.toISOString(), to: r.range_to.toISOString() } : null,
    fromPosition: Number(r.from_position),
    toPosition: Number(r.to_position),
    events: r.events,
    bytes: r.bytes,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    ...(r.created !== null && { results: { created: r.created, duplicates: r.duplicates ?? 0, rejected: r.rejected ?? 0 } }),
    failure: r.failure,
    attempts: r.attempts,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
    ackedAt: r.acked_at?.toISOString() ?? null,
  };
}

/** The batch written before the last send and not answered yet: it goes again, as it was, with its key. */
export async function pendingBatch(db: Db, kind: 'export' | 'backfill', backfillId?: string): Promise<ConduitBatch | undefined> {
  let q = db.selectFrom('conduit_batches').selectAll().where('status', '=', 'pending').where('kind', '=', kind);
  if (backfillId) q = q.where('backfill_id', '=', backfillId);
  const row = await q.orderBy('created_at').executeTakeFirst();
  return row && toBatch(row as Row);
}

/** Records a batch before it is sent: from now on a crash resends exactly this with this key. */
export async function insertBatch(
  db: Db,
  b: Pick<ConduitBatch, 'id' | 'kind' | 'backfillId' | 'range' | 'fromPosition' | 'toPosition' | 'events' | 'bytes' | 'idempotencyKey'>,
): Promise<void> {
  await db
    .insertInto('conduit_batches')
    .values({
      id: b.id,
      kind: b.kind,
      backfill_id: b.backfillId,
      range_from: b.range ? new Date(b.range.from) : null,
      range_to: b.range ? new Date(b.range.to) : null,
      from_position: b.fromPosition,
      to_position: b.toPosition,
      events: b.events,
      bytes: b.bytes,
      idempotency_key: b.idempotencyKey,
      status: 'pending',
    })
    .execute();
}

export async function markBatchSent(db: Db, id: string): Promise<void> {
  await sql`UPDATE conduit_batches SET attempts = attempts + 1, sent_at = coalesce(sent_at, now()) WHERE id = ${id}`.execute(db);
}

/**
 * Genesys answered the batch: rejected events go to the dead letters, the batch is closed with its counts
 * and, for the export, the cursor moves past it, all in one transaction.
 */
export async function ackBatch(
  db: Db,
  batch: Pick<ConduitBatch, 'id' | 'kind' | 'toPosition'>,
  outcome: {
    status: 'acked' | 'refused';
    results: { created: number; duplicates: number; rejected: number };
    deadLetters: { eventId: string; position: number; reason: string }[];
    failure?: string;
    advanceCursor: boolean;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const dl = outcome.deadLetters;
    if (dl.length) {
      await sql`
        INSERT INTO conduit_dead_letters (event_id, position, batch_id, reason)
        SELECT t.e, t.p, ${batch.id}, t.r FROM unnest(${dl.map((d) => d.eventId)}::text[], ${dl.map((d) => d.position)}::bigint[], ${dl.map((d) => d.reason)}::text[]) AS t(e, p, r)
        ON CONFLICT (event_id) DO UPDATE SET reason = excluded.reason, batch_id = excluded.batch_id`.execute(trx);
    }
    await trx
      .updateTable('conduit_batches')
      .set({
        status: outcome.status,
        created: outcome.results.created,
        duplicates: outcome.results.duplicates,
        rejected: outcome.results.rejected,
        failure: outcome.failure ?? null,
        acked_at: new Date(),
      })
      .where('id', '=', batch.id)
      .execute();
    if (outcome.advanceCursor) {
      await sql`
        INSERT INTO conduit_cursor (id, position, updated_at) VALUES (1, ${batch.toPosition}, now())
        ON CONFLICT (id) DO UPDATE SET position = GREATEST(conduit_cursor.position, excluded.position), updated_at = now()`.execute(trx);
    }
  });
}

export async function lastBatch(db: Db): Promise<ConduitBatch | undefined> {
  const row = await db.selectFrom('conduit_batches').selectAll().where('status', '<>', 'pending').orderBy('acked_at', 'desc').limit(1).executeTakeFirst();
  return row && toBatch(row as Row);
}

/** Events acknowledged in the last `seconds` (created or duplicate answers) and the batches that carried them. */
export async function exportedSince(db: Db, seconds: number): Promise<{ events: number; batches: number }> {
  const r = await sql<{ events: string | null; batches: string }>`
    SELECT sum(coalesce(created, 0) + coalesce(duplicates, 0)) AS events, count(*) AS batches
    FROM conduit_batches WHERE acked_at > now() - make_interval(secs => ${seconds})`.execute(db);
  return { events: Number(r.rows[0].events ?? 0), batches: Number(r.rows[0].batches) };
}

export interface DeadLetter {
  eventId: string;
  position: number;
  batchId: string;
  reason: string;
  interactionId: string | null;
  eventType: string | null;
  occurredAt: string | null;
  at: string;
}

export async function listDeadLetters(db: Db, limit = 100): Promise<{ total: number; letters: DeadLetter[] }> {
  const total = await db.selectFrom('conduit_dead_letters').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('conduit_dead_letters as d')
    .leftJoin('conduit_outbox as o', 'o.event_id', 'd.event_id')
    .select(['d.event_id', 'd.position', 'd.batch_id', 'd.reason', 'd.created_at', 'o.interaction_id', 'o.event_type', 'o.occurred_at'])
    .orderBy('d.position', 'desc')
    .limit(limit)
    .execute();
  return {
    total: Number(total.n),
    letters: rows.map((r) => ({
      eventId: r.event_id,
      position: Number(r.position),
      batchId: r.batch_id,
      reason: r.reason,
      interactionId: r.interaction_id,
      eventType: r.event_type,
      occurredAt: r.occurred_at?.toISOString() ?? null,
      at: r.created_at.toISOString(),
    })),
  };
}
