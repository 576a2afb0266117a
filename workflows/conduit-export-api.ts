import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchSummary } from '../activities/conduit-export';

export const conduitExportWorkflowId = (org: string) => `conduit-export/${org}`;

/** Re-export the events that occurred in [from, to) (ISO-8601): same event ids, so nothing is doubled. */
export const conduitBackfillSignal = defineSignal<[ConduitBackfillRequest]>('backfill');

export const conduitProgressQuery = defineQuery<ConduitProgress>('progress');

export interface ConduitBackfillRequest {
  from: string;
  to: string;
  /** Given by the caller to follow it; otherwise one is made. */
  backfillId?: string;
  requestedBy?: string;
}

export interface ConduitExportWorkflowInput {
  orgShortName: string;
  /** Events per batch at most (default 1000; the 512 KB limit may cut shorter). */
  maxBatchEvents?: number;
  /** How long each export activity runs before it reports back (default 10 s). */
  roundMs?: number;
  carry?: { backfills: Required<Pick<ConduitBackfillRequest, 'from' | 'to' | 'backfillId'>>[]; progress: ConduitProgress };
}

export interface ConduitProgress {
  orgShortName: string;
  state: 'exporting' | 'backfilling' | 'stopped';
  /** Last outbox position Genesys answered for. */
  cursor: number;
  /** Events captured and not yet answered, and how long the oldest of them has waited, at the last report. */
  backlog: number;
  lagMs: number;
  exported: number;
  batches: number;
  lastBatch?: BatchSummary;
  backfillsPending: number;
  lastBackfill?: { backfillId: string; from: string; to: string; events: number; batches: number; finishedAt: string };
  reportedAt?: string;
  /** Why the last round failed, until a round succeeds. */
  failure?: string;
}
