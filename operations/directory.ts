import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { getPairing } from '../db/pairing';
import { countLinksByState, listLinks, loadLinks, type LinkRow } from '../db/directory';
import { lastChangesFor, latestRun } from '../db/sync-runs';
import { SecretBox } from '../lib/secrets';
import { IcwsSession, readAllUsers } from '../clients/cic';
import { computePlan, blockedReasonOf } from '../activities/directory-plan';
import { directorySyncWorkflow } from '../workflows';
import {
  backfillSignal,
  directorySyncWorkflowId,
  progressQuery,
  type BackfillRequest,
  type SyncProgress,
} from '../workflows/directory-sync-api';
import { PairingError } from './pairing';

async function requirePairing(db: Db) {
  const p = await getPairing(db);
  if (!p) throw new PairingError('this bridge is not paired: run `bridge pair` first');
  return p;
}

/** Sends the backfill signal (a full resync), starting the pairing's sync workflow if it is not running. */
export async function requestBackfill(deps: { db: Db; temporal: Client; taskQueue: string }, req: BackfillRequest): Promise<string> {
  const p = await requirePairing(deps.db);
  const workflowId = directorySyncWorkflowId(p.orgShortName);
  await deps.temporal.workflow.signalWithStart(directorySyncWorkflow, {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [{ orgShortName: p.orgShortName, reconcileIntervalSeconds: p.options.reconcileIntervalSeconds }],
    searchAttributes: { BridgeOrg: [p.orgShortName], BridgeKind: ['directory-sync'] },
    signal: backfillSignal,
    signalArgs: [req],
  });
  return workflowId;
}

export async function syncProgress(deps: { db: Db; temporal: Client }): Promise<SyncProgress> {
  const p = await requirePairing(deps.db);
  return deps.temporal.workflow.getHandle(directorySyncWorkflowId(p.orgShortName)).query(progressQuery);
}

/**
 * Dry run: reads the CIC directory now and plans it against the links, applying nothing. Creates are shown as
 * such even where the apply step would link an existing cloud user with the same email instead.
 */
export async function dryRunPlan(deps: { db: Db; secretKey: string | undefined }, opts: { purge?: boolean } = {}) {
  const p = await requirePairing(deps.db);
  const session = await IcwsSession.connect({
    servers: p.cicServers,
    userId: p.cicUserId,
    password: new SecretBox(deps.secretKey).open(p.cicPasswordSealed),
    applicationName: 'cloud-bridge plan',
  });
  try {
    const records = await readAllUsers(session);
    const plan = computePlan(records, await loadLinks(deps.db), p.options, { purge: !!opts.purge, allowMassRemoval: false });
    return { plan, blockedReason: blockedReasonOf(plan), read: records.length };
  } finally {
    await session.close().catch(() => {});
  }
}

const stateLabel: Record<string, string> = {
  synced: 'Synced',
  error: 'Error',
  'not-synced': 'Not synced',
  conflict: 'Error',
  deactivated: 'Synced (deactivated)',
};

export function describeState(link: Pick<LinkRow, 'state' | 'reason'>): string {
  const label = stateLabel[link.state] ?? link.state;
  return link.reason ? `${label}: ${link.reason}` : label;
}

/** `bridge users [--state]`: each user's state as Interaction Administrator shows it, with the reason. */
export async function listUserStates(db: Db, state?: string) {
  const filter = state === 'error' ? undefined : state;
  const rows = await listLinks(db, filter, 100_000);
  const wanted = state === 'error' ? rows.filter((r) => r.state === 'error' || r.state === 'conflict') : rows;
  return { counts: await countLinksByState(db), users: wanted, lastRun: await latestRun(db) };
}

/** `bridge user <id>`: the link, and the trace and history of its last syncs. */
export async function userDetail(db: Db, cicId: string) {
  const [link] = await loadLinks(db, [cicId]);
  const record = await db.selectFrom('cic_users').selectAll().where('cic_id', '=', cicId).executeTakeFirst();
  return { link, present: record?.present, removedAt: record?.removed_at, history: await lastChangesFor(db, cicId) };
}
