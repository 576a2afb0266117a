import { setTimeout as sleepFor } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { Db } from '../db/database';
import type { PairingOptions } from '../db/pairing';
import { loadLinks, saveLink, deleteLinks, type LinkRow } from '../db/directory';
import { countTry, deferChange, nextPlanned, waitingChanges, type PlannedChange } from '../db/sync-runs';
import { findCloudUsers, lookupCloudUser, type CloudUserIndex } from '../db/cloud-users';
import { writeOutcomes, type ChangeOutcome, type SyncedLink } from '../db/sync-outcomes';
import { observeAcknowledged } from './health-observations';
import { planMatch, type DesiredScimUser, type ScimPatchOp, type CloudUserRef } from '../domain';
import { GenesysApiError, type GenesysClient, type ScimUser } from '../clients/genesys';


/** Tries of one change (a chunk that reached it counts as one) before it is given up for this pass. */
export const MAX_TRIES = 5;
/** Activity attempts during which a chunk where everything failed is taken as a far-side outage. */
const OUTAGE_ATTEMPTS = 10;

export interface ApplyChunkInput {
  runId: string;
  limit: number;
  /** Full passes match creates against the cloud snapshot read at the start of the pass. */
  useCloudSnapshot: boolean;
}

export interface ApplyChunkResult {
  processed: number;
  /** Changes that failed and wait for their next try; the caller waits until `retryAt`. */
  waiting?: { count: number; retryAt: string };
}

interface PlannedAfter {
  scim?: DesiredScimUser;
  hash?: string;
  genesysId?: string;
  patchOps?: ScimPatchOp[];
  problems: string[];
}

interface ApplyDeps {
  db: Db;
  genesys: GenesysClient;
  options: PairingOptions;
  beat: (details: object) => void;
  /** Temporal's cancellation: a timed-out attempt stops sending. */
  signal: AbortSignal;
}

type Trace = { step: string; result: string; at: string }[];

/** The per-user trace operators read with `bridge user <id>`: read → match → diff → action. */
class Tracer {
  readonly steps: Trace = [];
  step(name: string, result: string): void {
    this.steps.push({ step: name, result, at: new Date().toISOString() });
  }
}

/**
 * Applies the next planned changes of a run with bounded concurrency. A change that Genesys Cloud refuses
 * for good (400, 409, 404...) is recorded on that user and the run goes on. One that fails in a way worth
 * retrying stays planned with a time for its next try, and after MAX_TRIES it is given up: the user is
 * recorded as Error with the reason and tried again on a later pass, so one poisoned user never holds the
 * pass. Only a chunk where nothing got through (the far side is down, not one user) fails the activity for
 * Temporal to retry, and only for the first OUTAGE_ATTEMPTS attempts.
 */
export async function applyChunk(deps: ApplyDeps, input: ApplyChunkInput): Promise<ApplyChunkResult> {
  const items = await nextPlanned(deps.db, input.runId, input.limit);
  if (!items.length) return { processed: 0, waiting: await waitingChanges(deps.db, input.runId) };
  // Counted before anything is sent: a worker killed mid-chunk has still used a try, and a create tried
  // before is looked up live (by externalId, then email) rather than in the snapshot read before it.
  await countTry(deps.db, input.runId, items.map((i) => i.cicId));
  const links = new Map((await loadLinks(deps.db, items.map((i) => i.cicId))).map((l) => [l.cicId, l]));
  const snapshotCreates = items.filter((i) => i.action === 'create' && i.attempts === 0).map((i) => (i.after as PlannedAfter).scim!);
  const cloud = input.useCloudSnapshot ? await findCloudUsers(deps.db, snapshotCreates) : undefined;
  const recorder = new Recorder(deps.db, input.runId);
  const failed: { item: PlannedChange; err: GenesysApiError | Error }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && !deps.signal.aborted) {
      const item = items[next++];
      try {
        await applyOne({ ...deps, recorder, cloud: item.attempts === 0 ? cloud : undefined }, input, item, links.get(item.cicId));
        deps.beat({ done: recorder.done });
      } catch (err) {
        if (deps.signal.aborted) break;
        failed.push({ item, err: err as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.options.applyConcurrency) }, worker));
  await recorder.flush();
  deps.signal.throwIfAborted();
  if (failed.length) {
    const outage = recorder.done === 0 && failed.length > 1 && Context.current().info.attempt <= OUTAGE_ATTEMPTS;
    if (outage) {
      await countTry(deps.db, input.runId, failed.map((f) => f.item.cicId), -1);
      throw failed[0].err;
    }
    await retryOrGiveUp(deps.db, input.runId, failed, links);
  }
  return { processed: items.length - failed.length, waiting: await waitingChanges(deps.db, input.runId) };
}

/** Each failed change waits a little longer before its next try; past MAX_TRIES the user is given up. */
async function retryOrGiveUp(db: Db, runId: string, failed: { item: PlannedChange; err: Error }[], links: Map<string, LinkRow>) {
  const giveUp: { item: PlannedChange; reason: string }[] = [];
  for (const { item, err } of failed) {
    const tries = (item.attempts ?? 0) + 1;
    const reason = `${item.action} failed ${tries} time${tries > 1 ? 's' : ''}: ${describe(err)}`;
    if (tries >= MAX_TRIES) giveUp.push({ item, reason });
    else await deferChange(db, runId, item.cicId, new Date(Date.now() + Math.min(2 ** tries * 1000, 30_000)), reason);
  }
  for (const { item, reason } of giveUp) await giveUpChange(db, runId, item, links.get(item.cicId), reason);
}

/** Backoff across passes: 2, 4, 8... minutes, at most a day. */
function nextPassRetry(link: LinkRow | undefined): { failures: number; retryAt: Date } {
  const failures = (link?.failures ?? 0) + 1;
  return { failures, retryAt: new Date(Date.now() + Math.min(2 ** failures * 60_000, 24 * 3600_000)) };
}

function describe(err: Error): string {
  return err instanceof GenesysApiError ? `${err.status} ${err.type}: ${err.message}` : err.message;
}

/** Gives up every change of the run still waiting for a try (a delta pass does not wait for them). */
export async function giveUpWaiting(db: Db, runId: string): Promise<void> {
  const waiting = await nextPlanned(db, runId, 10_000, true);
  const links = new Map((await loadLinks(db, waiting.map((i) => i.cicId))).map((l) => [l.cicId, l]));
  for (const item of waiting) await giveUpChange(db, runId, item, links.get(item.cicId), item.error ?? `${item.action} failed`);
}

/**
 * The user is recorded as Error with the reason; a full pass tries it again after a backoff that grows with
 * each pass it fails on (a CIC change to the user tries at once).
 */
async function giveUpChange(db: Db, runId: string, item: PlannedChange, link: LinkRow | undefined, reason: string) {
  const retry = nextPassRetry(link);
  const message = `${reason}; tried again on a later pass (after ${retry.retryAt.toISOString()})`;
  await saveLink(db, {
    cicId: item.cicId,
    state: 'error',
    reason: message,
    problems: (item.after as PlannedAfter | null)?.problems,
    ...retry,
    lastTrace: [{ step: 'action', result: message, at: new Date().toISOString() }],
  });
  await writeOutcomes(db, runId, [], [{ cicId: item.cicId, action: item.action, status: 'failed', error: message }]);
}

/**
 * Collects outcomes and writes them in bulk. A crash loses at most the unflushed ones; their changes are
 * still planned, and applying them again finds the cloud users (by externalId) instead of duplicating them.
 */
class Recorder {
  private links: SyncedLink[] = [];
  private changes: ChangeOutcome[] = [];
  done = 0;

  constructor(
    private readonly db: Db,
    private readonly runId: string,
  ) {}

  async synced(link: SyncedLink, change: ChangeOutcome): Promise<void> {
    this.links.push(link);
    await this.change(change);
  }

  async change(change: ChangeOutcome): Promise<void> {
    this.changes.push(change);
    this.done++;
    if (this.changes.length >= 100) await this.flush();
  }

  async flush(): Promise<void> {
    const [links, changes] = [this.links, this.changes];
    this.links = [];
    this.changes = [];
    await writeOutcomes(this.db, this.runId, links, changes);
    await observeAcknowledged(this.db, links.map((l) => l.cicId));
  }
}

type ChunkDeps = ApplyDeps & { recorder: Recorder; cloud?: CloudUserIndex };

async function applyOne(deps: ChunkDeps, input: ApplyChunkInput, item: PlannedChange, link: LinkRow | undefined) {
  const { db } = deps;
  const after = item.after as PlannedAfter;
  const tracer = new Tracer();
  tracer.step('read', `CIC user ${item.cicId} staged in run ${input.runId}`);
  if (item.changes) tracer.step('diff', JSON.stringify(item.changes));
  try {
    const outcome = await perform(deps, input, item, after, link, tracer);
    if (outcome !== 'synced') await deps.recorder.change({ cicId: item.cicId, action: outcome, status: 'done' });
  } catch (err) {
    if (!(err instanceof GenesysApiError) || err.retryable) throw err;
    const reason = `${item.action} refused by Genesys Cloud (${err.status} ${err.type}): ${err.message}`;
    tracer.step('action', reason);
    await saveLink(db, { cicId: item.cicId, state: 'error', reason, problems: after.problems, lastTrace: tracer.steps, ...nextPassRetry(link) });
    await deps.recorder.change({ cicId: item.cicId, action: item.action, status: 'failed', error: reason });
  }
}

async function perform(
  deps: ChunkDeps,
  input: ApplyChunkInput,
  item: PlannedChange,
  after: PlannedAfter,
  link: LinkRow | undefined,
  tracer: Tracer,
): Promise<string> {
  const { db, genesys, signal } = deps;
  const step = (name: string, result: string) => tracer.step(name, result);
  const synced = async (user: ScimUser, scim: DesiredScimUser, action: string) => {
    step('action', `${action}: Genesys Cloud user ${user.id}`);
    await deps.recorder.synced(
      {
        cicId: item.cicId,
        genesysId: user.id,
        email: scim.userName,
        syncedValues: scim,
        syncedHash: after.hash ?? null,
        version: user.meta?.version ?? null,
        problems: after.problems,
        lastSyncedAt: new Date(),
        lastTrace: tracer.steps,
      },
      { cicId: item.cicId, action, status: 'done' },
    );
    return 'synced';
  };

  switch (item.action) {
    case 'create': {
      const scim = after.scim!;
      let found: CloudUserRef | undefined = deps.cloud
        ? lookupCloudUser(deps.cloud, scim.externalId, scim.userName)
        : await lookupLive(genesys, scim, signal);
      let decision = planMatch(scim, found);
      for (let attempt = 1; decision.action === 'create'; attempt++) {
        try {
          step('match', 'no Genesys Cloud user with this externalId or email: create');
          return await synced(await genesys.scim.createUser(toScimResource(scim), { priority: 'low', signal }), scim, 'create');
        } catch (err) {
          if (!(err instanceof GenesysApiError)) throw err;
          // A POST is not blindly repeated: after a conflict or an unknown outcome (5xx, timeout, dropped
          // connection) we look again, and link what our earlier attempt (or someone else) created.
          const unknownOutcome = err.retryable && attempt < 4;
          if (err.type !== 'ScimConflict' && !unknownOutcome) throw err;
          if (unknownOutcome) await sleepFor(Math.min(err.retryAfterMs ?? 250 * 2 ** attempt, 10_000), undefined, { signal });
          found = await lookupLive(genesys, scim, signal);
          decision = planMatch(scim, found);
          if (decision.action === 'create' && err.type === 'ScimConflict') throw err;
        }
      }
      if (decision.action === 'conflict') {
        step('match', decision.reason);
        await saveLink(db, { cicId: item.cicId, state: 'conflict', reason: decision.reason, email: scim.userName, lastTrace: tracer.steps });
        return 'conflict';
      }
      step('match', `existing Genesys Cloud user ${decision.genesysId} with the same email: link`);
      const user = await patchWithVersion(genesys, decision.genesysId, decision.patchOps, (found as { version?: string | null }).version ?? undefined, 'normal', signal);
      return synced(user, scim, 'link');
    }
    case 'update':
    case 'reactivate': {
      const user = await patchOrRelink(deps, item, after, link, tracer);
      return user ? synced(user, after.scim!, item.action) : item.action;
    }
    case 'deactivate': {
      const user = await patchWithVersion(genesys, after.genesysId!, after.patchOps!, link?.version ?? undefined, 'high', signal);
      step('action', `deactivated Genesys Cloud user ${user.id} (removed from CIC)`);
      await saveLink(db, {
        cicId: item.cicId,
        state: 'deactivated',
        reason: 'removed from CIC: deactivated in Genesys Cloud (roles kept)',
        active: false,
        version: user.meta?.version ?? null,
        lastSyncedAt: new Date(),
        lastTrace: tracer.steps,
      });
      return 'deactivate';
    }
    case 'delete': {
      try {
        await genesys.scim.deleteUser(after.genesysId!, { priority: 'high', signal });
      } catch (err) {
        // A retried DELETE whose first attempt went through meets 404: the user is gone, which is the goal.
        if (!(err instanceof GenesysApiError) || err.status !== 404) throw err;
        step('action', `Genesys Cloud user ${after.genesysId} was already deleted`);
      }
      await deleteLinks(db, [item.cicId]);
      return 'delete';
    }
    default:
      throw new Error(`unknown planned action ${item.action}`);
  }
}

/** Ours by externalId first (a retried create finds what it made), then anyone with the same email. */
async function lookupLive(genesys: GenesysClient, scim: DesiredScimUser, signal: AbortSignal): Promise<(CloudUserRef & { version?: string }) | undefined> {
  const opts = { includeInactive: true, priority: 'low' as const, signal };
  const byExternal = await genesys.scim.findUsers([{ attribute: 'externalId', value: scim.externalId }], opts);
  const byEmail = byExternal.length ? byExternal : await genesys.scim.findUsers([{ attribute: 'userName', value: scim.userName }], opts);
  const u = byEmail[0];
  return u && { id: u.id, externalId: u.externalId ?? null, active: u.active !== false, version: u.meta?.version };
}

async function patchWithVersion(
  genesys: GenesysClient,
  id: string,
  ops: ScimPatchOp[],
  version: string | undefined,
  priority: 'high' | 'normal' | 'low',
  signal: AbortSignal,
): Promise<ScimUser> {
  try {
    return await genesys.scim.patchUser(id, ops, { ifMatch: version, priority, signal });
  } catch (err) {
    // Someone edited the user in the cloud since we last saw it; our ops touch only CIC-changed attributes.
    if (!(err instanceof GenesysApiError) || err.type !== 'ScimInvalidVersion') throw err;
    const current = await genesys.scim.getUser(id, { priority, signal });
    return genesys.scim.patchUser(id, ops, { ifMatch: current.meta?.version, priority, signal });
  }
}

async function patchOrRelink(deps: ApplyDeps, item: PlannedChange, after: PlannedAfter, link: LinkRow | undefined, tracer: Tracer): Promise<ScimUser | undefined> {
  try {
    return await patchWithVersion(deps.genesys, after.genesysId!, after.patchOps!, link?.version ?? undefined, item.action === 'reactivate' ? 'high' : 'normal', deps.signal);
  } catch (err) {
    if (!(err instanceof GenesysApiError) || (err.type !== 'ScimNotFound' && err.status !== 404)) throw err;
    const reason = `Genesys Cloud user ${after.genesysId} no longer exists; it is created again on the next full pass`;
    tracer.step('action', reason);
    await saveLink(deps.db, { cicId: item.cicId, state: 'error', reason, genesysId: null, syncedValues: null, syncedHash: null, active: false, version: null });
    return undefined;
  }
}

function toScimResource(scim: DesiredScimUser) {
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...scim };
}
