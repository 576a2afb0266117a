import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db/database';
import { ackBatch, insertBatch, markBatchSent, pendingBatch, type ConduitBatch } from '../db/conduit-batches';
import { outboxBacklog, pruneConduit, readCursor, readOutbox, type OutboxEvent } from '../db/conduit-outbox';
import { GenesysApiError } from '../clients/genesys';
import { CONDUIT_MAX_BYTES, CONDUIT_MAX_EVENTS, createConduitClient, envelopeBytes, eventBytes, type ConduitClient } from '../clients/genesys/conduit-client';
import type { PairingContext } from './pairing-context';

export interface ConduitExportDeps {
  db: Db;
  pairingContext: PairingContext;
}

export interface BatchSummary {
  id: string;
  kind: 'export' | 'backfill';
  events: number;
  bytes: number;
  created: number;
  duplicates: number;
  rejected: number;
  ackedAt: string;
}

export interface ExportRound {
  /** The option is off: nothing was sent, the workflow ends. */
  disabled?: boolean;
  batches: number;
  events: number;
  cursor: number;
  backlog: number;
  lagMs: number;
  lastBatch?: BatchSummary;
}

export interface ExportInput {
  /** Events per batch at most (the 512 KB limit may cut a batch shorter). */
  maxBatchEvents?: number;
  /** How long one activity keeps exporting (and waiting for new events) before it reports back. */
  runForMs?: number;
  /** How often an empty outbox is looked at again. */
  idleMs?: number;
}

export interface BackfillInput {
  backfillId: string;
  from: string;
  to: string;
  maxBatchEvents?: number;
}

/** Exported events (and their batches) are kept this long, for backfills and inspection. */
export const RETENTION_DAYS = 7;
const PRUNE_EVERY_MS = 3_600_000;
let lastPrunedAt = 0;

/** Whole-batch answers that a resend would only repeat: the batch is split, a single event dead-lettered. */
const REFUSED_STATUSES = new Set([400, 413, 422]);

/**
 * The Conduit's export: reads the outbox from the cursor, cuts batches under the 512 KB limit and the event
 * count, writes each batch (range and Idempotency-Key) before sending it, and moves the cursor only once
 * Genesys answered, in the transaction that records the answer. A batch still pending when an attempt
 * starts (the last one crashed, timed out or lost its answer) is rebuilt from its range, byte for byte, and
 * sent again with its key first. Rejected events go to the dead letters; the rest flow on.
 */
export function createConduitExportActivities(deps: ConduitExportDeps) {
  async function client(): Promise<ConduitClient> {
    return createConduitClient({ http: (await deps.pairingContext.genesys()).http });
  }

  function cut(rows: OutboxEvent[], batchId: string): { rows: OutboxEvent[]; bytes: number } {
    let bytes = envelopeBytes(batchId) - 1;
    let n = 0;
    for (; n < rows.length; n++) {
      const b = eventBytes(rows[n].event);
      if (n > 0 && bytes + b > CONDUIT_MAX_BYTES) break;
      bytes += b;
    }
    return { rows: rows.slice(0, n), bytes };
  }

  /** Sends one recorded batch and records the answer. 'split' means the whole batch was refused. */
  async function deliver(conduit: ConduitClient, batch: ConduitBatch | Omit<ConduitBatch, 'status' | 'attempts' | 'createdAt' | 'sentAt' | 'ackedAt'>, rows: OutboxEvent[], signal: AbortSignal): Promise<BatchSummary | 'split'> {
    const advanceCursor = batch.kind === 'export';
    await markBatchSent(deps.db, batch.id);
    let results;
    try {
      results = await conduit.sendBatch({ batchId: batch.id, events: rows.map((r) => r.event) }, batch.idempotencyKey, signal);
    } catch (err) {
      if (!(err instanceof GenesysApiError) || !REFUSED_STATUSES.has(err.status)) throw err;
      const single = rows.length === 1;
      await ackBatch(deps.db, batch, {
        status: 'refused',
        results: { created: 0, duplicates: 0, rejected: single ? 1 : 0 },
        deadLetters: single ? [{ eventId: rows[0].event.eventId, position: rows[0].position, reason: err.message }] : [],
        failure: err.message,
        advanceCursor: advanceCursor && single,
      });
      if (!single) return 'split';
      return { id: batch.id, kind: batch.kind, events: 1, bytes: batch.bytes, created: 0, duplicates: 0, rejected: 1, ackedAt: new Date().toISOString() };
    }
    const deadLetters = results.flatMap((r, i) => (r.status === 'rejected' ? [{ eventId: rows[i].event.eventId, position: rows[i].position, reason: r.reason ?? 'rejected' }] : []));
    const count = (s: string) => results.filter((r) => r.status === s).length;
    const counts = { created: count('created'), duplicates: count('duplicate'), rejected: deadLetters.length };
    await ackBatch(deps.db, batch, { status: 'acked', results: counts, deadLetters, advanceCursor });
    return { id: batch.id, kind: batch.kind, events: rows.length, bytes: batch.bytes, ...counts, ackedAt: new Date().toISOString() };
  }

  async function pendingRows(batch: ConduitBatch): Promise<OutboxEvent[]> {
    return readOutbox(deps.db, { after: batch.fromPosition - 1, toPosition: batch.toPosition, limit: batch.events + 1, range: batch.range ?? undefined });
  }

  function heartbeatEvery(ms: number, details: () => unknown) {
    const ctx = Context.current();
    const timer = setInterval(() => ctx.heartbeat(details()), ms);
    return () => clearInterval(timer);
  }

  return {
    async exportConduit(input: ExportInput): Promise<ExportRound> {
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      const pairing = await deps.pairingContext.pairing({ fresh: true });
      const round: ExportRound = { batches: 0, events: 0, cursor: 0, backlog: 0, lagMs: 0 };
      if (!pairing.options.conduitEnabled) return { ...round, disabled: true };
      const conduit = await client();
      const maxEvents = Math.min(input.maxBatchEvents ?? CONDUIT_MAX_EVENTS, CONDUIT_MAX_EVENTS);
      const deadline = Date.now() + (input.runForMs ?? 60_000);
      let cursor = await readCursor(deps.db);
      let limit = maxEvents;
      let splitUntil = 0;
      let optionCheckedAt = Date.now();
      let firstLook = true;
      const stop = heartbeatEvery(2_000, () => ({ cursor, batches: round.batches }));
      try {
        while (Date.now() < deadline) {
          signal.throwIfAborted();
          if (Date.now() - optionCheckedAt > 5_000) {
            optionCheckedAt = Date.now();
            if (!(await deps.pairingContext.pairing({ fresh: true })).options.conduitEnabled) return { ...round, disabled: true, cursor };
          }
          // Only the first look can find one: every batch this attempt records is answered or the attempt fails.
          const pending = firstLook ? await pendingBatch(deps.db, 'export') : undefined;
          firstLook = false;
          let batch, rows: OutboxEvent[];
          if (pending) {
            batch = pending;
            rows = await pendingRows(pending);
          } else {
            if (cursor >= splitUntil) limit = maxEvents;
            const read = await readOutbox(deps.db, { after: cursor, limit });
            if (!read.length) {
              await sleep(input.idleMs ?? 200, undefined, { signal });
              continue;
            }
            const id = randomUUID();
            const c = cut(read, id);
            rows = c.rows;
            batch = { id, kind: 'export' as const, backfillId: null, range: null, fromPosition: rows[0].position, toPosition: rows[rows.length - 1].position, events: rows.length, bytes: c.bytes, idempotencyKey: id };
            await insertBatch(deps.db, batch);
          }
          const outcome = await deliver(conduit, batch, rows, signal);
          if (outcome === 'split') {
            splitUntil = batch.toPosition;
            limit = Math.max(1, Math.floor(rows.length / 2));
            ctx.log.warn('Genesys refused a whole conduit batch: it is sent again in halves', { batchId: batch.id, events: rows.length });
            continue;
          }
          cursor = Math.max(cursor, batch.toPosition);
          round.batches++;
          round.events += rows.length;
          round.lastBatch = outcome;
        }
      } finally {
        stop();
      }
      if (Date.now() - lastPrunedAt > PRUNE_EVERY_MS) {
        lastPrunedAt = Date.now();
        const pruned = await pruneConduit(deps.db, RETENTION_DAYS);
        if (pruned) ctx.log.info('pruned exported conduit events past the retention limit', { events: pruned, days: RETENTION_DAYS });
      }
      const backlog = await outboxBacklog(deps.db);
      return { ...round, cursor, backlog: backlog.events, lagMs: backlog.oldestCapturedAt ? Math.max(0, Date.now() - backlog.oldestCapturedAt.getTime()) : 0 };
    },

    /**
     * Sends the events that occurred in a time range again, as they were (same event ids, so Genesys keeps
     * one of each), up to what the export had sent when the backfill began. Resumable: its batches are
     * recorded, and it carries on after the last one answered.
     */
    async backfillConduit(input: BackfillInput): Promise<{ batches: number; events: number; lastBatch?: BatchSummary }> {
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      if (!(Date.parse(input.from) < Date.parse(input.to))) {
        throw ApplicationFailure.nonRetryable(`backfill range ${input.from} .. ${input.to} is empty or not ISO-8601`, 'ConduitBadRange');
      }
      await deps.pairingContext.pairing({ fresh: true });
      const conduit = await client();
      const range = { from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString() };
      const maxEvents = Math.min(input.maxBatchEvents ?? CONDUIT_MAX_EVENTS, CONDUIT_MAX_EVENTS);
      const done = await deps.db
        .selectFrom('conduit_batches')
        .select((eb) => eb.fn.max('to_position').as('to'))
        .where('backfill_id', '=', input.backfillId)
        .where('status', '<>', 'pending')
        .executeTakeFirst();
      let position = Number(done?.to ?? 0);
      const upTo = await readCursor(deps.db);
      const out: { batches: number; events: number; lastBatch?: BatchSummary } = { batches: 0, events: 0 };
      let limit = maxEvents;
      let splitUntil = 0;
      const stop = heartbeatEvery(2_000, () => ({ position }));
      try {
        for (;;) {
          signal.throwIfAborted();
          const pending = await pendingBatch(deps.db, 'backfill', input.backfillId);
          let batch, rows: OutboxEvent[];
          if (pending) {
            batch = pending;
            rows = await pendingRows(pending);
          } else {
            if (position >= splitUntil) limit = maxEvents;
            const read = await readOutbox(deps.db, { after: position, limit, toPosition: upTo, range });
            if (!read.length) return out;
            const id = randomUUID();
            const c = cut(read, id);
            rows = c.rows;
            batch = { id, kind: 'backfill' as const, backfillId: input.backfillId, range, fromPosition: rows[0].position, toPosition: rows[rows.length - 1].position, events: rows.length, bytes: c.bytes, idempotencyKey: id };
            await insertBatch(deps.db, batch);
          }
          const outcome = await deliver(conduit, batch, rows, signal);
          if (outcome === 'split') {
            splitUntil = batch.toPosition;
            limit = Math.max(1, Math.floor(rows.length / 2));
            continue;
          }
          position = Math.max(position, batch.toPosition);
          out.batches++;
          out.events += rows.length;
          out.lastBatch = outcome;
        }
      } finally {
        stop();
      }
    },
  };
}
