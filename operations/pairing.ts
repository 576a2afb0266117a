import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Db } from '../db/database';
import { defaultPairingOptions, getPairing, markUnpairing, savePairing, type PairingOptions } from '../db/pairing';
import { checkPairing, genesysUrls, isServiceUser, resolveRegion, validateShortName } from '../domain';
import { SecretBox } from '../lib/secrets';
import { parsePairingOptions, type PairingOptionsInput } from '../lib/config';
import { IcwsSession, getUser } from '../clients/cic';
import { createGenesysClient } from '../clients/genesys';
import { accountLinkingWorkflow, cicWatchWorkflow, conduitExportWorkflow, directorySyncWorkflow } from '../workflows';
import { accountLinkingWorkflowId } from '../workflows/account-linking-api';
import { ensureSigningKey } from '../idp/keys';
import { cicWatchWorkflowId } from '../workflows/cic-watch';
import { conduitExportWorkflowId } from '../workflows/conduit-export-api';
import { backfillSignal, directorySyncWorkflowId } from '../workflows/directory-sync-api';

/** Raised when a pairing request is refused; the message says what to change. */
export class PairingError extends Error {
  override name = 'PairingError';
}

export interface PairRequest {
  orgShortName: string;
  /** A region domain (`mypurecloud.ie`) or AWS region (`eu-west-1`); or explicit URLs below. */
  region?: string;
  apiUrl?: string;
  loginUrl?: string;
  clientId: string;
  clientSecret: string;
  cicServers: string[];
  cicUserId?: string;
  cicPassword: string;
  /** Checked by `pairingOptionsSchema` (lib/config.ts); numbers may come as decimal strings. */
  options?: PairingOptionsInput;
}

export interface PairingDeps {
  db: Db;
  redis: Redis;
  temporal: Client;
  taskQueue: string;
  secretKey: string | undefined;
  budgetPrefix: string;
}

/** The pairing dependencies of a process, from its config and open connections. */
export function pairingDeps(config: { taskQueue: string; secretKey?: string; queuePrefix: string }, open: { db: Db; redis: Redis; temporal: Client }): PairingDeps {
  return { ...open, taskQueue: config.taskQueue, secretKey: config.secretKey, budgetPrefix: `${config.queuePrefix}:budget` };
}

/**
 * Pairs this CIC server with one organization: checks the short name and region, that PureCloudAdmin can
 * sign in to CIC and exists there, that the OAuth client gets a token for that very organization; stores the
 * pairing with its secrets sealed; and starts the directory sync (with a first full pass) and the CIC watch.
 */
export async function pair(deps: PairingDeps, req: PairRequest): Promise<{ orgShortName: string; apiUrl: string; repaired: boolean }> {
  const checked = parsePairingOptions(req.options);
  if (!checked.ok) throw new PairingError(checked.message);
  const shortName = validateShortName(req.orgShortName);
  if (!shortName.ok) throw new PairingError(shortName.reason);
  let urls: { api: string; login: string };
  let regionDomain: string | null = null;
  if (req.region) {
    const region = resolveRegion(req.region);
    if (!region.ok) throw new PairingError(region.reason);
    regionDomain = region.value.domain;
    urls = genesysUrls(region.value.domain);
  } else if (req.apiUrl && req.loginUrl) {
    urls = { api: req.apiUrl.replace(/\/$/, ''), login: req.loginUrl.replace(/\/$/, '') };
  } else {
    throw new PairingError('give a region (e.g. mypurecloud.ie or eu-west-1), or both --api-url and --login-url');
  }
  const options: PairingOptions = { ...defaultPairingOptions, ...checked.value };
  if (!req.cicServers.length) throw new PairingError('give at least one CIC server (--cic-server https://cic1:8019)');
  const cicUserId = req.cicUserId ?? options.serviceUserName;
  if (!isServiceUser(cicUserId, options.serviceUserName)) {
    throw new PairingError(`the bridge connects to CIC as '${options.serviceUserName}', not '${cicUserId}'`);
  }

  const existing = await getPairing(deps.db, { includeUnpairing: true });
  if (existing?.unpairingSince) {
    throw new PairingError(`an unpair of '${existing.orgShortName}' did not finish: run \`bridge unpair\` again, then pair`);
  }
  const verdict = checkPairing(
    existing && { orgShortName: existing.orgShortName, regionDomain: existing.regionDomain ?? existing.apiUrl },
    { orgShortName: shortName.value, regionDomain: regionDomain ?? urls.api },
  );
  if (!verdict.ok) throw new PairingError(verdict.reason);

  await checkCic(req.cicServers, cicUserId, req.cicPassword);
  await checkGenesys(deps, urls, req, shortName.value, options);

  const box = new SecretBox(deps.secretKey);
  await savePairing(deps.db, {
    orgShortName: shortName.value,
    regionDomain,
    apiUrl: urls.api,
    loginUrl: urls.login,
    clientId: req.clientId,
    clientSecretSealed: box.seal(req.clientSecret),
    cicServers: req.cicServers,
    cicUserId,
    cicPasswordSealed: box.seal(req.cicPassword),
    options,
  });
  await ensureSigningKey(deps.db, deps.secretKey, shortName.value);
  await startPairingWorkflows(deps, shortName.value, options);
  return { orgShortName: shortName.value, apiUrl: urls.api, repaired: !!existing };
}

async function checkCic(servers: string[], userId: string, password: string): Promise<void> {
  let session: IcwsSession;
  try {
    session = await IcwsSession.connect({ servers, userId, password, applicationName: 'cloud-bridge pairing' });
  } catch (err) {
    throw new PairingError(`cannot sign in to CIC as ${userId}: ${(err as Error).message}. Create the ${userId} user in Interaction Administrator first`);
  }
  try {
    if (!(await getUser(session, userId))) throw new PairingError(`CIC user ${userId} does not exist: create it in Interaction Administrator first`);
  } finally {
    await session.close().catch(() => {});
  }
}

async function checkGenesys(deps: PairingDeps, urls: { api: string; login: string }, req: PairRequest, shortName: string, options: PairingOptions) {
  const client = createGenesysClient({
    apiUrl: urls.api,
    loginUrl: urls.login,
    clientId: req.clientId,
    clientSecret: req.clientSecret,
    redis: deps.redis,
    budgetPrefix: deps.budgetPrefix,
    rateLimitPerMinute: options.rateLimitPerMinute,
  });
  let org;
  try {
    org = await client.fetchOrganization('high');
  } catch (err) {
    throw new PairingError(`the OAuth client ${req.clientId} cannot reach Genesys Cloud at ${urls.api}: ${(err as Error).message}`);
  }
  if (org.thirdPartyOrgName && org.thirdPartyOrgName.toLowerCase() !== shortName.toLowerCase()) {
    throw new PairingError(`the OAuth client belongs to organization '${org.thirdPartyOrgName}', not '${shortName}'`);
  }
}

export async function startPairingWorkflows(deps: { temporal: Client; taskQueue: string }, org: string, options: PairingOptions) {
  await deps.temporal.workflow.signalWithStart(directorySyncWorkflow, {
    workflowId: directorySyncWorkflowId(org),
    taskQueue: deps.taskQueue,
    args: [{ orgShortName: org, reconcileIntervalSeconds: options.reconcileIntervalSeconds }],
    searchAttributes: { BridgeOrg: [org], BridgeKind: ['directory-sync'] },
    signal: backfillSignal,
    signalArgs: [{ requestedBy: 'pairing' }],
  });
  try {
    await deps.temporal.workflow.start(cicWatchWorkflow, {
      workflowId: cicWatchWorkflowId(org),
      taskQueue: deps.taskQueue,
      args: [{ orgShortName: org }],
      searchAttributes: { BridgeOrg: [org], BridgeKind: ['cic-watch'] },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  try {
    await deps.temporal.workflow.start(accountLinkingWorkflow, {
      workflowId: accountLinkingWorkflowId(org),
      taskQueue: deps.taskQueue,
      args: [{ orgShortName: org }],
      searchAttributes: { BridgeOrg: [org], BridgeKind: ['account-linking'] },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  if (options.conduitEnabled) {
    await deps.temporal.workflow
      .start(conduitExportWorkflow, { workflowId: conduitExportWorkflowId(org), taskQueue: deps.taskQueue, args: [{ orgShortName: org }], searchAttributes: { BridgeOrg: [org], BridgeKind: ['conduit-export'] } })
      .catch((err) => {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      });
  }
}

/** The workflows of a pairing, each of which may write its state while it runs. */
export const pairingWorkflowIds = (org: string) => [cicWatchWorkflowId(org), directorySyncWorkflowId(org), accountLinkingWorkflowId(org), conduitExportWorkflowId(org)];

/** How long unpair waits, by default, for the pairing's workflows to end once cancelled. */
export const UNPAIR_TIMEOUT_MS = 90_000;

/**
 * Ends the pairing: stops the watch, the sync and account linking, waits until each has ended, then forgets
 * the pairing and its state. Genesys Cloud is not touched: users the bridge created or linked stay as they
 * are, so a later pairing with the same organization links them again (by externalId, then email) instead of
 * duplicating them.
 *
 * The order matters. Each workflow is cancelled, then the pairing is marked as being unpaired, so from then
 * on it counts as gone: the queue workers drop changes for it, and activities (which read the pairing afresh
 * before they write) end any workflow still going. Then unpair waits until every workflow has closed; a
 * cancelled workflow closes only after its running activity has stopped, so once all are closed nothing
 * writes state any more, and only then is the state deleted. A workflow started meanwhile (by a change
 * queued just before the mark) is cancelled too. If one does not end within `timeoutMs` (a worker that stopped answering), nothing is
 * deleted and unpair fails with a message saying which: the pairing stays marked (not syncing), and running
 * unpair again finishes the job.
 */
export async function unpair(
  deps: { db: Db; temporal: Client },
  opts: { timeoutMs?: number } = {},
): Promise<{ orgShortName: string; cloudUsersLeft: number } | undefined> {
  const existing = await getPairing(deps.db, { includeUnpairing: true });
  if (!existing) return undefined;
  const ids = pairingWorkflowIds(existing.orgShortName);
  const cancelled = new Set<string>();
  // Cancelled before the mark, so a workflow between two activities ends as cancelled rather than on a
  // missing pairing; a run started between the two is cancelled by stopWorkflows.
  await cancelRunning(deps.temporal, ids, cancelled);
  await markUnpairing(deps.db);
  await stopWorkflows(deps.temporal, ids, opts.timeoutMs ?? UNPAIR_TIMEOUT_MS, cancelled);
  const left = await deps.db.selectFrom('user_links').select((eb) => eb.fn.countAll<string>().as('n')).where('genesys_id', 'is not', null).executeTakeFirstOrThrow();
  await deps.db.transaction().execute(async (trx) => {
    for (const t of ['sync_changes', 'sync_runs', 'cloud_users', 'user_links', 'cic_users', 'watch_backlog', 'sso_links', 'idp_keys', 'presence_state', 'presence_source', 'presence_pushes', 'conduit_dead_letters', 'conduit_batches', 'conduit_cursor', 'conduit_interactions', 'conduit_outbox'] as const) await trx.deleteFrom(t).execute();
    await trx.deleteFrom('pairing').execute();
  });
  return { orgShortName: existing.orgShortName, cloudUsersLeft: Number(left.n) };
}

/** Cancels each running run of these ids not cancelled before (`cancelled` holds `id/runId`); returns those running. */
async function cancelRunning(temporal: Client, workflowIds: string[], cancelled: Set<string>): Promise<{ workflowId: string; runId: string }[]> {
  const running: { workflowId: string; runId: string }[] = [];
  for (const workflowId of workflowIds) {
    const run = await runningRun(temporal, workflowId);
    if (!run) continue;
    running.push(run);
    const key = `${run.workflowId}/${run.runId}`;
    if (cancelled.has(key)) continue;
    try {
      await temporal.workflow.getHandle(run.workflowId, run.runId).cancel();
    } catch (err) {
      // Ended between the look and the cancel: the next look sees it closed.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    cancelled.add(key);
  }
  return running;
}

/**
 * Waits until no workflow of these ids is running, cancelling any run not cancelled yet (one started
 * meanwhile). Throws a PairingError naming the workflows still running when the time is up.
 */
async function stopWorkflows(temporal: Client, workflowIds: string[], timeoutMs: number, cancelled: Set<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await cancelRunning(temporal, workflowIds, cancelled);
    if (!running.length) return;
    if (Date.now() >= deadline) {
      const names = running.map((r) => r.workflowId).join(', ');
      throw new PairingError(
        `unpair: ${names} did not end within ${Math.round(timeoutMs / 1000)} s of being cancelled (is a worker running? an activity may still be stopping); nothing was deleted and the pairing stays stopped: run \`bridge unpair\` again to finish`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function runningRun(temporal: Client, workflowId: string): Promise<{ workflowId: string; runId: string } | undefined> {
  try {
    const d = await temporal.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? { workflowId, runId: d.runId } : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
