import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { getPairing, type StoredPairing } from '../db/pairing';
import { exportedSince, lastBatch, listDeadLetters, type ConduitBatch, type DeadLetter } from '../db/conduit-batches';
import { outboxBacklog, readCursor } from '../db/conduit-outbox';
import { conduitExportWorkflow } from '../workflows';
import {
  conduitBackfillSignal,
  conduitExportWorkflowId,
  conduitProgressQuery,
  type ConduitBackfillRequest,
  type ConduitProgress,
} from '../workflows/conduit-export-api';
import { PairingError } from './pairing';

type Deps = { db: Db; temporal: Client; taskQueue: string };

async function requirePairing(db: Db, what: string): Promise<StoredPairing> {
  const p = await getPairing(db);
  if (!p) throw new PairingError(`${what}: this bridge is not paired with a Genesys Cloud organization, and the Conduit sends only to a paired one: run \`bridge pair\` first`);
  return p;
}

async function setConduitOptions(db: Db, options: { conduitEnabled: boolean; conduitWorkgroups?: string[] }): Promise<void> {
  await sql`UPDATE pairing SET options = options || ${JSON.stringify(options)}::jsonb, updated_at = now() WHERE unpairing_since IS NULL`.execute(db);
}

/** Starts the pairing's export workflow if it is not running. */
export async function startConduitExport(deps: { temporal: Client; taskQueue: string }, org: string): Promise<void> {
  try {
    await deps.temporal.workflow.start(conduitExportWorkflow, {
      workflowId: conduitExportWorkflowId(org),
      taskQueue: deps.taskQueue,
      args: [{ orgShortName: org }],
      searchAttributes: { BridgeOrg: [org], BridgeKind: ['conduit-export'] },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Switches the Conduit on: refused without a pairing. The watch reconnects with the queue subscription
 * (within a few seconds) and the export workflow starts. `workgroups` (optional) are the workgroup queues
 * watched besides every user's own queue; given, they replace the stored list.
 */
export async function enableConduit(deps: Deps, opts: { workgroups?: string[] } = {}): Promise<{ orgShortName: string; workgroups: string[] }> {
  const p = await requirePairing(deps.db, 'conduit enable');
  const workgroups = opts.workgroups ?? p.options.conduitWorkgroups;
  if (workgroups.some((w) => !w.trim() || w.length > 256)) throw new PairingError('conduit enable: a workgroup name must be 1-256 characters');
  await setConduitOptions(deps.db, { conduitEnabled: true, conduitWorkgroups: workgroups });
  await startConduitExport(deps, p.orgShortName);
  return { orgShortName: p.orgShortName, workgroups };
}

/**
 * Switches the Conduit off: capture stops (the watch reconnects without the queue subscription) and the
 * export ends after its current batch. What was captured stays, until the retention limit.
 */
export async function disableConduit(deps: { db: Db }): Promise<{ orgShortName: string }> {
  const p = await requirePairing(deps.db, 'conduit disable');
  await setConduitOptions(deps.db, { conduitEnabled: false });
  return { orgShortName: p.orgShortName };
}

/** Asks the export workflow to re-export a time range; starts it if needed (the option must be on). */
export async function requestConduitBackfill(deps: Deps, req: ConduitBackfillRequest): Promise<string> {
  const p = await requirePairing(deps.db, 'conduit backfill');
  if (!p.options.conduitEnabled) throw new PairingError('conduit backfill: the Conduit is off: run `bridge conduit enable` first');
  if (!(Date.parse(req.from) < Date.parse(req.to))) throw new PairingError(`conduit backfill: give --from before --to as ISO-8601 times, not ${req.from} .. ${req.to}`);
  const workflowId = conduitExportWorkflowId(p.orgShortName);
  await deps.temporal.workflow.signalWithStart(conduitExportWorkflow, {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [{ orgShortName: p.orgShortName }],
    searchAttributes: { BridgeOrg: [p.orgShortName], BridgeKind: ['conduit-export'] },
    signal: conduitBackfillSignal,
    signalArgs: [req],
  });
  return workflowId;
}

export interface ConduitStatus {
  paired: boolean;
  orgShortName?: string;
  enabled: boolean;
  workgroups: string[];
  cursor: number;
  backlog: number;
  lagMs: number;
  exportedLastMinute: number;
  batchesLastMinute: number;
  lastBatch?: ConduitBatch;
  deadLetters: { total: number; recent: DeadLetter[] };
  workflow?: ConduitProgress;
}

/** What `bridge conduit status` shows: PostgreSQL's view (always there) and the workflow's `progress` when it runs. */
export async function conduitStatus(deps: { db: Db; temporal?: Client }): Promise<ConduitStatus> {
  const p = await getPairing(deps.db);
  const [cursor, backlog, minute, last, dead] = await Promise.all([
    readCursor(deps.db),
    outboxBacklog(deps.db),
    exportedSince(deps.db, 60),
    lastBatch(deps.db),
    listDeadLetters(deps.db, 10),
  ]);
  let workflow: ConduitProgress | undefined;
  if (p && deps.temporal) {
    workflow = await deps.temporal.workflow
      .getHandle(conduitExportWorkflowId(p.orgShortName))
      .query(conduitProgressQuery)
      // Not running (switched off, never started) or Temporal unreachable: PostgreSQL's figures still stand.
      .catch(() => undefined);
  }
  return {
    paired: !!p,
    orgShortName: p?.orgShortName,
    enabled: !!p?.options.conduitEnabled,
    workgroups: p?.options.conduitWorkgroups ?? [],
    cursor,
    backlog: backlog.events,
    lagMs: backlog.oldestCapturedAt ? Math.max(0, Date.now() - backlog.oldestCapturedAt.getTime()) : 0,
    exportedLastMinute: minute.events,
    batchesLastMinute: minute.batches,
    lastBatch: last,
    deadLetters: { total: dead.total, recent: dead.letters },
    workflow,
  };
}

export { listDeadLetters };

export interface ConduitHealth {
  status: 'green' | 'amber' | 'red';
  reason: string;
  figures: { enabled: boolean; backlog: number; lagMs: number; deadLetters: number; exportedLastMinute: number; lastAckAt: string | null };
}

/** Lag above which the Conduit is amber, and red. */
const AMBER_LAG_MS = 60_000;
const RED_LAG_MS = 10 * 60_000;

/**
 * The Conduit at a glance, for the integration health page: green when it is off or keeping up, amber when
 * events wait more than a minute or some were dead-lettered, red when they wait more than ten minutes.
 */
export async function conduitHealth(db: Db): Promise<ConduitHealth> {
  const s = await conduitStatus({ db });
  const figures = {
    enabled: s.enabled,
    backlog: s.backlog,
    lagMs: s.lagMs,
    deadLetters: s.deadLetters.total,
    exportedLastMinute: s.exportedLastMinute,
    lastAckAt: s.lastBatch?.ackedAt ?? null,
  };
  if (!s.enabled) return { status: 'green', reason: s.backlog ? `off; ${s.backlog} captured events not exported` : 'off', figures };
  if (s.lagMs > RED_LAG_MS) return { status: 'red', reason: `the oldest of ${s.backlog} events has waited ${Math.round(s.lagMs / 1000)} s`, figures };
  if (s.lagMs > AMBER_LAG_MS) return { status: 'amber', reason: `the oldest of ${s.backlog} events has waited ${Math.round(s.lagMs / 1000)} s`, figures };
  if (s.deadLetters.total) return { status: 'amber', reason: `${s.deadLetters.total} events refused by Genesys Cloud (bridge conduit dead-letters)`, figures };
  return { status: 'green', reason: s.backlog ? `exporting; ${s.backlog} waiting` : 'up to date', figures };
}
