import type { Db } from '../db/database';
import type { PairingOptions } from '../db/pairing';
import { markRemoved, markUnseenRemoved, stageUsers, unchangedStaged, type StagedRow } from '../db/directory';
import { createRun, finishRun, countChanges, insertChanges, type PlannedChange } from '../db/sync-runs';
import { dropCloudUsersNotIn, upsertCloudUsers } from '../db/cloud-users';
import { backlogCutoff, backlogPage, clearBacklog, clearBacklogNotedBy } from '../db/watch-backlog';
import { MAPPED_RECORD_PATHS, recordHash } from './record-hash';
import { listUsers, getUser, type IcwsUserRecord } from '../clients/cic';
import type { ScimUser } from '../clients/genesys';
import { parseCicUser, stageCicUser, type CountryCode, type StagedUser } from '../domain';
import { contentHash } from '../domain/content-hash';
import type { PairingContext } from './pairing-context';
import { planRun, type PlanRunInput, type PlanRunResult } from './directory-plan';
import { applyChunk, giveUpWaiting, type ApplyChunkInput, type ApplyChunkResult } from './directory-apply';
import { withHeartbeat } from './heartbeat';
import { observePassFinished } from './health-observations';
import { dropDriftNotSeenBy, recordDrift } from '../db/drift';

export interface DirectoryDeps {
  db: Db;
  pairingContext: PairingContext;
}

/**
 * Activities of the directory sync. Each is idempotent for its run id: staging upserts, planning skips
 * users already planned, applying skips changes already done, so Temporal may retry any of them.
 */
export function createDirectoryActivities(deps: DirectoryDeps) {
  const { db, pairingContext: ctx } = deps;
  return {
    async startSyncRun(input: { runId: string; kind: 'full' | 'delta'; workflowId: string }): Promise<void> {
      // No run is recorded for a pairing that is gone (a sync restarted by a late change after unpair).
      await ctx.pairing({ fresh: true });
      await createRun(db, { id: input.runId, kind: input.kind, workflowId: input.workflowId });
    },

    /**
     * Full pass: pages through every CIC user, mapping each as it is staged, so the planner never needs the
     * raw records; users the read did not see have left CIC. A retry reads again from the start.
     */
    async stageCicUsers(input: { runId: string }): Promise<{ read: number; removed: number }> {
      const p = await ctx.pairing({ fresh: true });
      // Changes the watch could not hand over (watch_backlog) were noted before this read begins: it covers them.
      const cutoff = await backlogCutoff(db);
      return withHeartbeat(async (beat, signal) => {
        const seen: string[] = [];
        const unreadable: PlannedChange[] = [];
        await ctx.withCic(async (session) => {
          seen.length = 0;
          unreadable.length = 0;
          for await (const page of listUsers(session, { pageSize: 200, select: MAPPED_SELECT, signal })) {
            const ids = await stageRecords(db, page, p.options, (reason) =>
              unreadable.push({ cicId: `(unreadable record ${unreadable.length + 1})`, action: 'invalid', status: 'done', error: reason }),
            );
            for (const id of ids) seen.push(id);
            beat({ read: seen.length });
          }
        });
        await insertChanges(db, input.runId, unreadable);
        const removed = await markUnseenRemoved(db, seen);
        await clearBacklogNotedBy(db, cutoff);
        return { read: seen.length + unreadable.length, removed };
      });
    },

    /**
     * Reconciliation read of the cloud (active and inactive users), written page by page, so a full pass
     * looks up no user one by one and holds no directory in memory. Pages after the first are read a few at
     * a time, since their offsets are known once the first answer gives the total.
     */
    async snapshotCloudUsers(input: { runId: string }): Promise<{ users: number }> {
      const genesys = await ctx.genesys();
      return withHeartbeat(async (beat, signal) => {
        let users = 0;
        // Genesys lists only active users unless the filter asks for inactive ones, hence two listings.
        for (const filter of [undefined, 'active eq false']) {
          const read = (startIndex: number) =>
            genesys.scim.listUsers({ filter, attributes: CLOUD_ATTRIBUTES, startIndex, count: CLOUD_PAGE, priority: 'low', signal });
          const save = async (resources: ScimUser[]) => {
            await upsertCloudUsers(db, input.runId, resources.map(toCloudRow));
            await recordDrift(db, input.runId, resources);
            users += resources.length;
            beat({ users });
          };
          const first = await read(1);
          await save(first.Resources);
          const starts: number[] = [];
          for (let i = 1 + first.Resources.length; first.Resources.length && i <= first.totalResults; i += first.Resources.length) starts.push(i);
          await inPool(starts, CLOUD_READERS, async (start) => save((await read(start)).Resources));
        }
        await dropCloudUsersNotIn(db, input.runId);
        await dropDriftNotSeenBy(db, input.runId);
        return { users };
      });
    },

    async planSyncRun(input: PlanRunInput): Promise<PlanRunResult> {
      const p = await ctx.pairing({ fresh: true });
      return withHeartbeat((beat) => planRun(db, input, p.options, beat));
    },

    async applySyncChunk(input: ApplyChunkInput): Promise<ApplyChunkResult> {
      const p = await ctx.pairing({ fresh: true });
      const genesys = await ctx.genesys();
      return withHeartbeat((beat, signal) => applyChunk({ db, genesys, options: p.options, beat, signal }, input));
    },

    async finishSyncRun(input: { runId: string; blockedReason?: string }): Promise<Record<string, number>> {
      return finish(db, input.runId, input.blockedReason);
    },

    /**
     * A delta pass in one activity: a few users changed, and four activity round trips would cost more than
     * the work. Every step is idempotent by run id, as in the full pass, so a retry resumes where it stopped.
     * The pass also takes users the watch could not hand over (watch_backlog), a page at a time, so a change
     * noted during a Redis outage reaches the cloud with the next change that gets through.
     */
    async syncUsers(input: { runId: string; workflowId: string; userIds: string[] }): Promise<DeltaResult> {
      const p = await ctx.pairing({ fresh: true });
      const genesys = await ctx.genesys();
      return withHeartbeat(async (beat, signal) => {
        await createRun(db, { id: input.runId, kind: 'delta', workflowId: input.workflowId });
        const backlog = await backlogPage(db, BACKLOG_PER_DELTA, { idsOnly: true });
        const userIds = [...new Set([...input.userIds, ...backlog.map((e) => e.cicId)])];
        const staged = await stageUsersById(deps, userIds, p.options, signal);
        const plan = await planRun(db, { runId: input.runId, userIds, purge: false, allowMassRemoval: false }, p.options, beat);
        // Planned (in PostgreSQL, by run id): a retry of this activity finds them in the plan.
        await clearBacklog(db, backlog);
        let waiting: ApplyChunkResult['waiting'];
        // A user that failed this time waits for a later pass (or its next change) rather than holding the
        // pass: a delta pass is only a fast path, and reconciliation retries the user.
        for (let applied = 0; applied < plan.toApply; ) {
          const chunk = await applyChunk({ db, genesys, options: p.options, beat, signal }, { runId: input.runId, limit: 500, useCloudSnapshot: false });
          waiting = chunk.waiting;
          if (chunk.processed === 0) break;
          applied += chunk.processed;
        }
        if (waiting) await giveUpWaiting(db, input.runId);
        return {
          read: staged.read,
          counts: await finish(db, input.runId, plan.blockedReason, userIds),
          blockedReason: plan.blockedReason,
        };
      });
    },
  };
}

export interface DeltaResult {
  read: number;
  counts: Record<string, number>;
  blockedReason?: string;
}

async function finish(
  db: Db,
  runId: string,
  blockedReason: string | undefined,
  coveredIds?: readonly string[],
): Promise<Record<string, number>> {
  const counts = await countChanges(db, runId);
  await finishRun(db, runId, blockedReason ? 'blocked' : 'completed', counts, blockedReason);
  await observePassFinished(db, runId, counts, coveredIds);
  return counts;
}

const STAGE_CONCURRENCY = 16;
/** Backlog ids a delta pass takes besides its own; more wait for the next pass, or the watch's drain. */
const BACKLOG_PER_DELTA = 200;
const CLOUD_PAGE = 100;
const CLOUD_READERS = 4;
// The synced attributes too: the drift report compares them with what we last sent (db/drift.ts).
const CLOUD_ATTRIBUTES = ['id', 'userName', 'externalId', 'active', 'meta', 'displayName', 'emails', 'phoneNumbers'];
/** Only what the mapping reads (and recordHash covers): a full read of 100,000 users stays small. */
const MAPPED_SELECT = MAPPED_RECORD_PATHS.join(',');

/** What the staged mapping depends on besides the record: a change here restages every user. */
const stagedWith = (o: PairingOptions) => `v1|${o.defaultCountry}|${o.serviceUserName}`;

/**
 * Stages a page of CIC records and returns their ids. Only records that are new, changed, back, or mapped
 * with other options are mapped and written: an unchanged directory costs one read per page here.
 */
async function stageRecords(db: Db, records: readonly IcwsUserRecord[], options: PairingOptions, unreadable: (reason: string) => void): Promise<string[]> {
  const stageOptions = { defaultCountry: options.defaultCountry as CountryCode, serviceUserName: options.serviceUserName, hash: contentHash };
  const withIds = records.filter((r) => {
    if (r.configurationId?.id) return true;
    unreadable((stageCicUser(parseCicUser(r), stageOptions) as { reason: string }).reason);
    return false;
  });
  const ids = withIds.map((r) => r.configurationId.id);
  const current = await unchangedStaged(db, ids, stagedWith(options));
  const rows: StagedRow[] = [];
  for (const record of withIds) {
    const contentHash = recordHash(record);
    if (current.get(record.configurationId.id) === contentHash) continue;
    rows.push({ cicId: record.configurationId.id, contentHash, staged: stageCicUser(parseCicUser(record), stageOptions) as StagedUser });
  }
  await stageUsers(db, rows, stagedWith(options));
  return ids;
}

const toCloudRow = (u: ScimUser) => ({ id: u.id, userName: u.userName, externalId: u.externalId, active: u.active !== false, version: u.meta?.version });

async function inPool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Reads the named users from CIC (a few at a time) and stages them; a user CIC no longer has is removed. */
async function stageUsersById(
  deps: DirectoryDeps,
  ids: string[],
  options: PairingOptions,
  signal: AbortSignal,
): Promise<{ read: number; removed: number }> {
  const found = new Array<IcwsUserRecord | undefined>(ids.length);
  await deps.pairingContext.withCic(async (session) => {
    await inPool(ids.map((_, i) => i), STAGE_CONCURRENCY, async (i) => {
      found[i] = await getUser(session, ids[i], MAPPED_SELECT, signal);
    });
  });
  const records = found.filter((r): r is IcwsUserRecord => r !== undefined);
  await stageRecords(deps.db, records, options, () => {});
  const gone = ids.filter((_, i) => !found[i]);
  await markRemoved(deps.db, gone);
  return { read: records.length, removed: gone.length };
}
