import { Context } from '@temporalio/activity';
import type { Db } from '../db/database';
import { markRemoved, markUnseenRemoved, stageCicRecords } from '../db/directory';
import { createRun, finishRun, countChanges } from '../db/sync-runs';
import { replaceCloudUsers } from '../db/cloud-users';
import { recordHash } from './record-hash';
import { listUsers, getUser } from '../clients/cic';
import type { PairingContext } from './pairing-context';
import { planRun, type PlanRunInput, type PlanRunResult } from './directory-plan';
import { applyChunk, type ApplyChunkInput } from './directory-apply';

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
      await createRun(db, { id: input.runId, kind: input.kind, workflowId: input.workflowId });
    },

    /** Full pass: pages through every CIC user, heartbeating; delta passes read by id in `syncUsers`. */
    async stageCicUsers(_input: { runId: string }): Promise<{ read: number; removed: number }> {
      const activity = Context.current();
      // The read's start time survives a retry in the heartbeat, so users staged before a crash still count as seen.
      const seenAt = new Date(
        (activity.info.heartbeatDetails as { seenAt?: string } | undefined)?.seenAt ?? Date.now(),
      );
      let read = 0;
      await ctx.withCic(async (session) => {
        read = 0;
        for await (const page of listUsers(session, { pageSize: 200 })) {
          await stageCicRecords(
            db,
            page.map((record) => ({
              cicId: record.configurationId.id,
              record: record as Record<string, unknown>,
              hash: recordHash(record),
            })),
            new Date(Math.max(Date.now(), seenAt.getTime())),
          );
          read += page.length;
          activity.heartbeat({ seenAt: seenAt.toISOString(), read });
        }
      });
      const removed = await markUnseenRemoved(db, seenAt);
      return { read, removed };
    },

    /** Reconciliation read of the cloud (active and inactive users), so a full pass looks up no user one by one. */
    async snapshotCloudUsers(input: { runId: string }): Promise<{ users: number }> {
      const activity = Context.current();
      const genesys = await ctx.genesys();
      const users: {
        id: string;
        userName: string;
        externalId?: string | null;
        active: boolean;
        version?: string | null;
      }[] = [];
      // Genesys lists only active users unless the filter asks for inactive ones, hence two listings.
      for (const filter of [undefined, 'active eq false']) {
        const attributes = ['id', 'userName', 'externalId', 'active', 'meta'];
        for await (const page of genesys.scim.pages({ filter, attributes, pageSize: 100, priority: 'low' })) {
          for (const u of page.resources) {
            users.push({
              id: u.id,
              userName: u.userName,
              externalId: u.externalId,
              active: u.active !== false,
              version: u.meta?.version,
            });
          }
          activity.heartbeat({ users: users.length });
        }
      }
      await replaceCloudUsers(db, input.runId, users);
      return { users: users.length };
    },

    async planSyncRun(input: PlanRunInput): Promise<PlanRunResult> {
      const p = await ctx.pairing();
      return planRun(db, input, p.options);
    },

    async applySyncChunk(input: ApplyChunkInput): Promise<{ processed: number }> {
      const p = await ctx.pairing();
      return applyChunk({ db, genesys: await ctx.genesys(), options: p.options }, input);
    },

    async finishSyncRun(input: { runId: string; blockedReason?: string }): Promise<Record<string, number>> {
      return finish(db, input.runId, input.blockedReason);
    },

    /**
     * A delta pass in one activity: a few users changed, and four activity round trips would cost more than
     * the work. Every step is idempotent by run id, as in the full pass, so a retry resumes where it stopped.
     */
    async syncUsers(input: { runId: string; workflowId: string; userIds: string[] }): Promise<DeltaResult> {
      await createRun(db, { id: input.runId, kind: 'delta', workflowId: input.workflowId });
      const staged = await stageUsersById(deps, input.userIds);
      const p = await ctx.pairing();
      const plan = await planRun(
        db,
        { runId: input.runId, userIds: input.userIds, purge: false, allowMassRemoval: false },
        p.options,
      );
      const genesys = await ctx.genesys();
      for (let applied = 0; applied < plan.toApply;) {
        const chunk = await applyChunk(
          { db, genesys, options: p.options },
          { runId: input.runId, limit: 500, useCloudSnapshot: false },
        );
        if (chunk.processed === 0) break;
        applied += chunk.processed;
      }
      return {
        read: staged.read,
        counts: await finish(db, input.runId, plan.blockedReason),
        blockedReason: plan.blockedReason,
      };
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
): Promise<Record<string, number>> {
  const counts = await countChanges(db, runId);
  await finishRun(db, runId, blockedReason ? 'blocked' : 'completed', counts, blockedReason);
  return counts;
}

const STAGE_CONCURRENCY = 16;

/** Reads the named users from CIC (a few at a time) and stages them; a user CIC no longer has is removed. */
async function stageUsersById(
  deps: DirectoryDeps,
  ids: string[],
): Promise<{ read: number; removed: number }> {
  const found = new Array<Awaited<ReturnType<typeof getUser>>>(ids.length);
  let next = 0;
  await deps.pairingContext.withCic(async (session) => {
    next = 0;
    const reader = async () => {
      while (next < ids.length) {
        const i = next++;
        found[i] = await getUser(session, ids[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(STAGE_CONCURRENCY, ids.length) }, reader));
  });
  const staged = ids.flatMap((id, i) => {
    const record = found[i];
    return record
      ? [
          {
            cicId: record.configurationId?.id ?? id,
            record: record as Record<string, unknown>,
            hash: recordHash(record as never),
          },
        ]
      : [];
  });
  await stageCicRecords(deps.db, staged, new Date());
  const gone = ids.filter((_, i) => !found[i]);
  await markRemoved(deps.db, gone);
  return { read: staged.length, removed: gone.length };
}
