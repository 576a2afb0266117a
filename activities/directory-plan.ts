import type { Db } from '../db/database';
import type { PairingOptions } from '../db/pairing';
import {
  countGoneActive,
  countLinkedActive,
  deleteLinks,
  duplicateEmailHolders,
  goneLinksPage,
  saveLink,
  stagedPage,
  type LinkRow,
} from '../db/directory';
import { countChanges, countRecentRemovals, insertChanges, markRemovalConfirmed, type PlannedChange } from '../db/sync-runs';

/** Removals within this window add up for the mass-removal safeguard. */
export const MASS_REMOVAL_WINDOW_MINUTES = 15;
import {
  duplicateEmailConflicts,
  emptyPlan,
  massRemovalBlock,
  parseCicSnapshot,
  planRemoval,
  planStagedUser,
  planUserSync,
  type CountryCode,
  type LinkState,
  type UserLink,
  type UserSyncPlan,
} from '../domain';
import { contentHash } from '../domain/content-hash';

export interface PlanRunInput {
  runId: string;
  /** A delta pass plans only these users; a full pass plans everyone. */
  userIds?: string[];
  purge: boolean;
  allowMassRemoval: boolean;
}

export interface PlanRunResult {
  /** Changes that need a call to Genesys Cloud. */
  toApply: number;
  blockedReason?: string;
}

/** Plans a CIC directory read against the links, without touching anything: shared by sync and dry run. */
export function computePlan(
  records: readonly unknown[],
  links: readonly UserLink[],
  options: PairingOptions,
  extra: { purge: boolean; allowMassRemoval: boolean; linkedActiveTotal?: number; recentRemovals?: number },
): UserSyncPlan {
  return planUserSync(parseCicSnapshot(records), links, {
    defaultCountry: options.defaultCountry as CountryCode,
    massRemovalThreshold: options.massRemovalThreshold,
    serviceUserName: options.serviceUserName,
    purge: extra.purge,
    allowMassRemoval: extra.allowMassRemoval,
    linkedActiveTotal: extra.linkedActiveTotal,
    recentRemovals: extra.recentRemovals,
    hash: contentHash,
  });
}

export function blockedReasonOf(plan: Pick<UserSyncPlan, 'blockedByMassRemoval'>): string | undefined {
  const b = plan.blockedByMassRemoval;
  return b
    ? `mass-removal safeguard: this run would deactivate ${b.wouldDeactivate} of ${b.total} linked users` +
        `${b.recentlyRemoved ? ` (${b.recentlyRemoved} more were removed in the last ${MASS_REMOVAL_WINDOW_MINUTES} minutes)` : ''}, more than ` +
        `${Math.round(b.threshold * 100)}%; nothing was removed. Check CIC, then run \`bridge backfill --allow-mass-removal\``
    : undefined;
}

const PLAN_PAGE = 2000;

/**
 * Plans one run and records it, a page of staged users at a time so memory stays flat whatever the
 * directory's size: outcomes that need no call (not synced, conflicts, invalid records, back in sync) are
 * written at once, and only where they change what the link says; changes that need Genesys Cloud are
 * stored as `planned` for the apply chunks. A retried call finds the run marked planned and only reports it
 * (with its mass-removal block); one that died half-way plans again, which is idempotent.
 */
export async function planRun(db: Db, input: PlanRunInput, options: PairingOptions, beat: (detail: object) => void = () => {}): Promise<PlanRunResult> {
  const run = await db.selectFrom('sync_runs').select(['planned', 'blocked_reason']).where('id', '=', input.runId).executeTakeFirst();
  if (run?.planned) return { toApply: (await countChanges(db, input.runId)).pending ?? 0, blockedReason: run.blocked_reason ?? undefined };

  if (input.allowMassRemoval) await markRemovalConfirmed(db, input.runId);
  const ids = input.userIds;
  const planOptions = { hash: contentHash, serviceUserName: options.serviceUserName, purge: input.purge };
  const conflicts = duplicateEmailConflicts(await duplicateEmailHolders(db, ids));
  const now = new Date();
  let planned = 0;
  for (let after = ''; ; ) {
    const page = await stagedPage(db, after, PLAN_PAGE, ids);
    if (!page.length) break;
    after = page[page.length - 1].staged.cicId;
    const plan = emptyPlan();
    const links = new Map(page.map((p) => [p.staged.cicId, p.link]));
    const waiting: PlannedChange[] = [];
    for (const { staged, link } of page) {
      // A full pass leaves a user that keeps failing alone until its backoff ends; a change to it in CIC
      // (a delta pass) tries at once, since the change may be the fix.
      if (!ids && link?.state === 'error' && link.retryAt && link.retryAt > now) {
        waiting.push({ cicId: staged.cicId, action: 'retry-later', status: 'done', error: `${link.reason ?? 'failed'}; tried again after ${link.retryAt.toISOString()}` });
        continue;
      }
      planStagedUser(staged, link, conflicts.get(staged.cicId), plan, planOptions);
    }
    await recordPlan(db, input.runId, plan, links, waiting);
    planned += page.length;
    beat({ planned });
  }

  const block = massRemovalBlock(await countGoneActive(db, options.serviceUserName, ids), await countLinkedActive(db), {
    massRemovalThreshold: options.massRemovalThreshold,
    allowMassRemoval: input.allowMassRemoval,
    recentRemovals: await countRecentRemovals(db, MASS_REMOVAL_WINDOW_MINUTES),
  });
  for (let after = ''; !block; ) {
    const page = await goneLinksPage(db, after, PLAN_PAGE, ids);
    if (!page.length) break;
    after = page[page.length - 1].cicId;
    const plan = emptyPlan();
    for (const link of page) planRemoval(link, plan, planOptions);
    await recordPlan(db, input.runId, plan, new Map(page.map((l) => [l.cicId, l])), []);
    beat({ planned, removals: after });
  }
  const blockedReason = blockedReasonOf({ blockedByMassRemoval: block });
  await db.updateTable('sync_runs').set({ planned: true, blocked_reason: blockedReason ?? null }).where('id', '=', input.runId).execute();
  return { toApply: (await countChanges(db, input.runId)).pending ?? 0, blockedReason };
}

async function recordPlan(
  db: Db,
  runId: string,
  plan: UserSyncPlan,
  links: Map<string, LinkRow | undefined>,
  changes: PlannedChange[],
): Promise<void> {
  const problems = new Map(plan.problems.map((p) => [p.cicId, p.messages]));
  const at = new Date().toISOString();
  const note = (cicId: string, action: string, error: string | null = null) =>
    changes.push({ cicId, action, status: 'done', error });
  // Only what changes the link is written: a pass over an unchanged directory writes no link at all.
  const report = async (cicId: string, state: LinkState, reason: string, step?: string) => {
    const link = links.get(cicId);
    if (link?.state === state && link.reason === reason) return;
    await saveLink(db, { cicId, state, reason, ...(step && { lastTrace: [{ step, result: reason, at }] }) });
  };

  for (const u of plan.notSynced) {
    await report(u.cicId, 'not-synced', u.reason, 'map');
    note(u.cicId, 'not-synced', u.reason);
  }
  for (const u of plan.excluded) {
    await report(u.cicId, 'not-synced', u.reason);
    note(u.cicId, 'excluded', u.reason);
  }
  for (const u of plan.conflicts) {
    await report(u.cicId, 'conflict', u.reason, 'match');
    note(u.cicId, 'conflict', u.reason);
  }
  for (const u of plan.invalid) {
    note(u.cicId ?? '(unreadable record)', 'invalid', u.reason);
    if (u.cicId) await report(u.cicId, 'error', `invalid CIC record: ${u.reason}`);
  }
  for (const u of plan.backInSync) {
    await saveLink(db, {
      cicId: u.cicId,
      state: 'synced',
      reason: null,
      email: u.scim.userName,
      syncedValues: u.scim,
      syncedHash: u.hash,
      problems: problems.get(u.cicId) ?? [],
      lastSyncedAt: new Date(),
      failures: 0,
      retryAt: null,
    });
    note(u.cicId, 'back-in-sync');
  }
  await deleteLinks(db, plan.staleLinks.map((s) => s.cicId));

  const planned = (cicId: string, action: string, after: object, diff?: object): void => {
    changes.push({ cicId, action, status: 'planned', after: { ...after, problems: problems.get(cicId) ?? [] }, changes: diff ?? null });
  };
  for (const c of plan.creates) planned(c.cicId, 'create', { scim: c.scim, hash: c.hash });
  for (const u of plan.updates) planned(u.cicId, 'update', { scim: u.scim, hash: u.hash, genesysId: u.genesysId, patchOps: u.patchOps }, u.changes);
  for (const u of plan.reactivations) planned(u.cicId, 'reactivate', { scim: u.scim, hash: u.hash, genesysId: u.genesysId, patchOps: u.patchOps }, u.changes);
  for (const u of plan.deactivations) planned(u.cicId, 'deactivate', { genesysId: u.genesysId, patchOps: u.patchOps });
  for (const u of plan.deletions) planned(u.cicId, 'delete', { genesysId: u.genesysId });

  await insertChanges(db, runId, changes);
}
