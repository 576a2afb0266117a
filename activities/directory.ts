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

    /** Full pass: pages through every CIC user (heartbeating); delta: reads the named users by id. */
    async stageCicUsers(input: { runId: string; userIds?: string[] }): Promise<{ read: number; removed: number }> {
      const activity = Context.current();
      if (input.userIds) {
        const ids = input.userIds;
        const found = await ctx.withCic((session) => Promise.all(ids.map((id) => getUser(session, id))));
        const now = new Date();
        const staged = found.flatMap((record, i) =>
          record ? [{ cicId: record.configurationId?.id ?? ids[i], record: record as Record<string, unknown>, hash: recordHash(record as never) }] : [],
        );
        await stageCicRecords(db, staged, now);
        const gone = ids.filter((_, i) => !found[i]);
        await markRemoved(db, gone);
        return { read: staged.length, removed: gone.length };
      }
      // The read's start time survives a retry in the heartbeat, so users staged before a crash still count as seen.
      const seenAt = new Date((activity.info.heartbeatDetails as { seenAt?: string } | undefined)?.seenAt ?? Date.now());
      let read = 0;
      await ctx.withCic(async (session) => {
        read = 0;
        for await (const page of listUsers(session, { pageSize: 200 })) {
          await stageCicRecords(
            db,
            page.map((record) => ({ cicId: record.configurationId.id, record: record as Record<string, unknown>, hash: recordHash(record) })),
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
      const users: { id: string; userName: string; externalId?: string | null; active: boolean; version?: string | null }[] = [];
      // Genesys lists only active users unless the filter asks for inactive ones, hence two listings.
      for (const filter of [undefined, 'active eq false']) {
        const attributes = ['id', 'userName', 'externalId', 'active', 'meta'];
        for await (const page of genesys.scim.pages({ filter, attributes, pageSize: 100, priority: 'low' })) {
          for (const u of page.resources) {
            users.push({ id: u.id, userName: u.userName, externalId: u.externalId, active: u.active !== false, version: u.meta?.version });
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
      const counts = await countChanges(db, input.runId);
      await finishRun(db, input.runId, input.blockedReason ? 'blocked' : 'completed', counts, input.blockedReason);
      return counts;
    },
  };
}

