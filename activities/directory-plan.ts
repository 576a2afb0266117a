import type { Db } from '../db/database';
import type { PairingOptions } from '../db/pairing';
import { countLinkedActive, deleteLinks, loadLinks, loadPresentRecords, saveLink } from '../db/directory';
import { countChanges, countRecentRemovals, insertChanges, markRemovalConfirmed, type PlannedChange } from '../db/sync-runs';

/** Removals within this window add up for the mass-removal safeguard. */
export const MASS_REMOVAL_WINDOW_MINUTES = 15;
import { parseCicSnapshot, planUserSync, type CountryCode, type UserLink, type UserSyncPlan } from '../domain';
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

export function blockedReasonOf(plan: UserSyncPlan): string | undefined {
  const b = plan.blockedByMassRemoval;
  return b
    ? `mass-removal safeguard: this run would deactivate ${b.wouldDeactivate} of ${b.total} linked users` +
        `${b.recentlyRemoved ? ` (${b.recentlyRemoved} more were removed in the last ${MASS_REMOVAL_WINDOW_MINUTES} minutes)` : ''}, more than ` +
        `${Math.round(b.threshold * 100)}%; nothing was removed. Check CIC, then run \`bridge backfill --allow-mass-removal\``
    : undefined;
}

/**
 * Plans one run and records it: outcomes that need no call (not synced, conflicts, invalid records, back in
 * sync) are written at once; changes that need Genesys Cloud are stored as `planned` for the apply chunks.
 * A retried call finds the run already planned and only reports it.
 */
export async function planRun(db: Db, input: PlanRunInput, options: PairingOptions): Promise<PlanRunResult> {
  const existing = await countChanges(db, input.runId);
  if (Object.keys(existing).length > 0) return { toApply: existing.pending ?? 0 };

  if (input.allowMassRemoval) await markRemovalConfirmed(db, input.runId);
  const records = await loadPresentRecords(db, input.userIds);
  const links = await loadLinks(db, input.userIds);
  const plan = computePlan(records, links, options, {
    purge: input.purge,
    allowMassRemoval: input.allowMassRemoval,
    linkedActiveTotal: input.userIds ? await countLinkedActive(db) : undefined,
    recentRemovals: await countRecentRemovals(db, MASS_REMOVAL_WINDOW_MINUTES),
  });
  const problems = new Map(plan.problems.map((p) => [p.cicId, p.messages]));
  const now = new Date();
  const changes: PlannedChange[] = [];
  const note = (cicId: string, action: string, error: string | null = null) =>
    changes.push({ cicId, action, status: 'done', error });

  for (const u of plan.notSynced) {
    await saveLink(db, { cicId: u.cicId, state: 'not-synced', reason: u.reason, lastTrace: [{ step: 'map', result: u.reason }] });
    note(u.cicId, 'not-synced', u.reason);
  }
  for (const u of plan.excluded) {
    await saveLink(db, { cicId: u.cicId, state: 'not-synced', reason: u.reason });
    note(u.cicId, 'excluded', u.reason);
  }
  for (const u of plan.conflicts) {
    await saveLink(db, { cicId: u.cicId, state: 'conflict', reason: u.reason, lastTrace: [{ step: 'match', result: u.reason }] });
    note(u.cicId, 'conflict', u.reason);
  }
  plan.invalid.forEach((u, i) => note(u.cicId ?? `(unreadable record ${i + 1})`, 'invalid', u.reason));
  for (const u of plan.invalid) {
    if (u.cicId) await saveLink(db, { cicId: u.cicId, state: 'error', reason: `invalid CIC record: ${u.reason}` });
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
      lastSyncedAt: now,
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

  await insertChanges(db, input.runId, changes);
  return { toApply: changes.filter((c) => c.status === 'planned').length, blockedReason: blockedReasonOf(plan) };
}
