import { Context } from '@temporalio/activity';
import type { Db } from '../db/database';
import type { PairingOptions } from '../db/pairing';
import { loadLinks, saveLink, deleteLinks, type LinkRow } from '../db/directory';
import { nextPlanned, type PlannedChange } from '../db/sync-runs';
import { findCloudUsers, lookupCloudUser, type CloudUserIndex } from '../db/cloud-users';
import { writeOutcomes, type ChangeOutcome, type SyncedLink } from '../db/sync-outcomes';
import { planMatch, type DesiredScimUser, type ScimPatchOp, type CloudUserRef } from '../domain';
import { GenesysApiError, type GenesysClient, type ScimUser } from '../clients/genesys';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 10_000)));

export interface ApplyChunkInput {
  runId: string;
  limit: number;
  /** Full passes match creates against the cloud snapshot read at the start of the pass. */
  useCloudSnapshot: boolean;
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
 * for good (400, 409, 404...) is recorded on that user and the run goes on; anything retryable ends the chunk
 * with the error so Temporal retries it, and changes already done are not repeated.
 */
export async function applyChunk(deps: ApplyDeps, input: ApplyChunkInput): Promise<{ processed: number }> {
  const items = await nextPlanned(deps.db, input.runId, input.limit);
  const links = new Map((await loadLinks(deps.db, items.map((i) => i.cicId))).map((l) => [l.cicId, l]));
  const creates = items.filter((i) => i.action === 'create').map((i) => (i.after as PlannedAfter).scim!);
  const cloud = input.useCloudSnapshot ? await findCloudUsers(deps.db, creates) : undefined;
  const recorder = new Recorder(deps.db, input.runId);
  let next = 0;
  let failure: unknown;
  // A retryable failure leaves that user planned and the others go on; the chunk then fails so Temporal
  // retries it, and only what is left is tried again.
  const cancelled = Context.current().cancellationSignal;
  const worker = async () => {
    while (next < items.length && !cancelled.aborted) {
      const item = items[next++];
      try {
        await applyOne({ ...deps, recorder, cloud }, input, item, links.get(item.cicId));
        Context.current().heartbeat({ done: recorder.done });
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.options.applyConcurrency) }, worker));
  await recorder.flush();
  if (failure !== undefined) throw failure;
  if (cancelled.aborted) throw cancelled.reason ?? new Error('cancelled');
  return { processed: items.length };
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
    await saveLink(db, { cicId: item.cicId, state: 'error', reason, problems: after.problems, lastTrace: tracer.steps });
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
  const { db, genesys } = deps;
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
        : await lookupLive(genesys, scim);
      let decision = planMatch(scim, found);
      for (let attempt = 1; decision.action === 'create'; attempt++) {
        try {
          step('match', 'no Genesys Cloud user with this externalId or email: create');
          return await synced(await genesys.scim.createUser(toScimResource(scim), { priority: 'low' }), scim, 'create');
        } catch (err) {
          if (!(err instanceof GenesysApiError)) throw err;
          // A POST is not blindly repeated: after a conflict or an unknown outcome (5xx, timeout, dropped
          // connection) we look again, and link what our earlier attempt (or someone else) created.
          const unknownOutcome = err.retryable && attempt < 4;
          if (err.type !== 'ScimConflict' && !unknownOutcome) throw err;
          if (unknownOutcome) await sleep(err.retryAfterMs ?? 250 * 2 ** attempt);
          found = await lookupLive(genesys, scim);
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
      const user = await patchWithVersion(genesys, decision.genesysId, decision.patchOps, (found as { version?: string | null }).version ?? undefined, 'normal');
      return synced(user, scim, 'link');
    }
    case 'update':
    case 'reactivate': {
      const user = await patchOrRelink(deps, item, after, link, tracer);
      return user ? synced(user, after.scim!, item.action) : item.action;
    }
    case 'deactivate': {
      const user = await patchWithVersion(genesys, after.genesysId!, after.patchOps!, link?.version ?? undefined, 'high');
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
      await genesys.scim.deleteUser(after.genesysId!, { priority: 'high' });
      await deleteLinks(db, [item.cicId]);
      return 'delete';
    }
    default:
      throw new Error(`unknown planned action ${item.action}`);
  }
}

/** Ours by externalId first (a retried create finds what it made), then anyone with the same email. */
async function lookupLive(genesys: GenesysClient, scim: DesiredScimUser): Promise<(CloudUserRef & { version?: string }) | undefined> {
  const byExternal = await genesys.scim.findUsers([{ attribute: 'externalId', value: scim.externalId }], { includeInactive: true, priority: 'low' });
  const byEmail = byExternal.length ? byExternal : await genesys.scim.findUsers([{ attribute: 'userName', value: scim.userName }], { includeInactive: true, priority: 'low' });
  const u = byEmail[0];
  return u && { id: u.id, externalId: u.externalId ?? null, active: u.active !== false, version: u.meta?.version };
}

async function patchWithVersion(genesys: GenesysClient, id: string, ops: ScimPatchOp[], version: string | undefined, priority: 'high' | 'normal' | 'low'): Promise<ScimUser> {
  try {
    return await genesys.scim.patchUser(id, ops, { ifMatch: version, priority });
  } catch (err) {
    // Someone edited the user in the cloud since we last saw it; our ops touch only CIC-changed attributes.
    if (!(err instanceof GenesysApiError) || err.type !== 'ScimInvalidVersion') throw err;
    const current = await genesys.scim.getUser(id, { priority });
    return genesys.scim.patchUser(id, ops, { ifMatch: current.meta?.version, priority });
  }
}

async function patchOrRelink(deps: ApplyDeps, item: PlannedChange, after: PlannedAfter, link: LinkRow | undefined, tracer: Tracer): Promise<ScimUser | undefined> {
  try {
    return await patchWithVersion(deps.genesys, after.genesysId!, after.patchOps!, link?.version ?? undefined, item.action === 'reactivate' ? 'high' : 'normal');
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
