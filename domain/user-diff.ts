/**
 * The directory-sync planner: given what CIC holds now and what was last synced, decide what to send to
 * Genesys Cloud. It never looks at the cloud. Diffing against the last *synced* values (not the cloud) is what
 * lets a cloud-side edit stand until that attribute changes in CIC (DESIGN.md §3).
 *
 * Decisions the seed leaves open, taken here:
 * - A synced user who loses the business email keeps the cloud user as it is (active, last synced values);
 *   the user is listed as not synced, nothing is sent, and syncing resumes when an email reappears.
 * - An invalid CIC record whose id is readable still counts as present, so it is never deactivated.
 * - Two CIC users with the same business email: the one already synced with it keeps it; the others are
 *   conflicts. If none holds it yet, all are conflicts until CIC is fixed (the seed forbids duplicates).
 * - A deactivated user who reappears without an email stays deactivated and is listed as not synced.
 * - The mass-removal safeguard counts users that are active in the cloud and would lose access (by
 *   deactivation or, with purge, deletion), against all linked active users. When it trips, every removal
 *   and stale-link clean-up in the run is held back; `allowMassRemoval` is the operator's confirmation.
 */
import type { CicSnapshot, parseCicUser } from './cic-user';
import type { CountryCode } from './phone';
import { diffAttributes, patchOpsFor, type AttributeChange, type ScimPatchOp } from './scim-patch';
import { isServiceUser, toScimUser, type DesiredScimUser } from './user-mapping';

export type LinkState = 'synced' | 'error' | 'not-synced' | 'deactivated' | 'conflict';

/** One row of the link table: a CIC user and, once it reached the cloud, its Genesys user. */
export interface UserLink {
  cicId: string;
  genesysId?: string | null;
  email?: string | null;
  syncedHash?: string | null;
  syncedValues?: DesiredScimUser | null;
  state: LinkState;
  /** Whether the linked Genesys user is active, as last set by the bridge. */
  active: boolean;
}

export interface PlanOptions {
  defaultCountry: CountryCode;
  /** Share (0..1) of linked active users a run may remove before it stops for an operator. */
  massRemovalThreshold: number;
  serviceUserName?: string;
  /** Delete removed users instead of deactivating them (explicit operator purge). */
  purge?: boolean;
  /** The operator has confirmed a removal that trips the safeguard. */
  allowMassRemoval?: boolean;
  /**
   * Linked active users in the whole directory, for a run that plans only some users (a delta pass): the
   * safeguard compares removals with the directory, not with the handful of users in the run.
   */
  linkedActiveTotal?: number;
  /** Users the bridge deactivated or deleted within the safeguard's recent window, before this run. */
  recentRemovals?: number;
  /** Injected so this module stays free of node:crypto; pass `contentHash` from ./content-hash. */
  hash: (user: DesiredScimUser) => string;
}

export interface PlannedCreate {
  cicId: string;
  scim: DesiredScimUser;
  hash: string;
}

export interface PlannedUpdate {
  cicId: string;
  genesysId: string;
  changes: AttributeChange[];
  patchOps: ScimPatchOp[];
  /** To be stored as the link's syncedValues / syncedHash once the PATCH succeeds. */
  scim: DesiredScimUser;
  hash: string;
}

export interface UserSyncPlan {
  /** Users with no cloud user yet; resolve each with planMatch against a cloud lookup before POSTing. */
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  /** Users back in CIC whose cloud user is inactive; patchOps start with active=true. */
  reactivations: PlannedUpdate[];
  deactivations: { cicId: string; genesysId: string; patchOps: ScimPatchOp[] }[];
  deletions: { cicId: string; genesysId: string }[];
  /** Values match the last sync but the link is not marked Synced (e.g. the email came back): no request needed. */
  backInSync: { cicId: string; genesysId: string; scim: DesiredScimUser; hash: string }[];
  notSynced: { cicId: string; reason: string }[];
  conflicts: { cicId: string; reason: string }[];
  invalid: { cicId?: string; reason: string }[];
  /** The service user: reported so operators see why it is absent, never acted on. */
  excluded: { cicId: string; reason: string }[];
  /** Link rows of CIC users that are gone and never reached the cloud; the rows can be dropped. */
  staleLinks: { cicId: string }[];
  /** Per-user mapping problems (unusable phones), for every syncable user whatever the action. */
  problems: { cicId: string; messages: string[] }[];
  unchanged: number;
  blockedByMassRemoval?: { wouldDeactivate: number; recentlyRemoved: number; total: number; threshold: number };
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const emailKey = (email: string) => email.toLowerCase();
const linkedEmail = (link: UserLink | undefined) => link?.syncedValues?.userName ?? link?.email ?? undefined;

/**
 * One CIC user as the planner needs it, mapped once when it is staged: the desired cloud shape and its hash,
 * or why it is not synced. A full pass keeps these in PostgreSQL and plans them page by page.
 */
export type StagedUser =
  | { cicId: string; status: 'ok'; scim: DesiredScimUser; hash: string; problems: string[] }
  | { cicId: string; status: 'not-synced' | 'excluded' | 'invalid'; reason: string };

export type StageOptions = Pick<PlanOptions, 'defaultCountry' | 'serviceUserName' | 'hash'>;

/** Maps one parsed CIC record; an unreadable record (no id) cannot be staged and is only reported. */
export function stageCicUser(
  parsed: ReturnType<typeof parseCicUser>,
  options: StageOptions,
): StagedUser | { cicId?: undefined; status: 'invalid'; reason: string } {
  if (!parsed.ok) return { cicId: parsed.cicId, status: 'invalid', reason: parsed.reason } as StagedUser;
  const result = toScimUser(parsed.user, options);
  if (!result.ok) return { cicId: parsed.user.id, status: result.state, reason: result.reason };
  return { cicId: parsed.user.id, status: 'ok', scim: result.scim, hash: options.hash(result.scim), problems: result.problems };
}

export function emptyPlan(): UserSyncPlan {
  return {
    creates: [],
    updates: [],
    reactivations: [],
    deactivations: [],
    deletions: [],
    backInSync: [],
    notSynced: [],
    conflicts: [],
    invalid: [],
    excluded: [],
    staleLinks: [],
    problems: [],
    unchanged: 0,
  };
}

/** Plans one directory-sync run. Pure and deterministic: lists come out ordered by CIC id. */
export function planUserSync(
  snapshot: CicSnapshot,
  links: readonly UserLink[],
  options: PlanOptions,
): UserSyncPlan {
  checkThreshold(options.massRemovalThreshold);
  const plan = emptyPlan();
  const linkById = new Map(links.map((l) => [l.cicId, l]));
  const present = new Set<string>();

  for (const bad of snapshot.invalid) {
    plan.invalid.push(bad.cicId ? { cicId: bad.cicId, reason: bad.reason } : { reason: bad.reason });
    if (bad.cicId) present.add(bad.cicId);
  }

  const staged: StagedUser[] = [];
  for (const user of [...snapshot.users].sort((a, b) => byId(a.id, b.id))) {
    if (present.has(user.id)) {
      plan.invalid.push({
        cicId: user.id,
        reason: 'CIC user id appears more than once in the directory read',
      });
      continue;
    }
    present.add(user.id);
    staged.push(stageCicUser({ ok: true, user }, options) as StagedUser);
  }

  const conflicts = duplicateEmailConflicts(
    staged.flatMap((s) => (s.status === 'ok' ? [{ cicId: s.cicId, email: s.scim.userName, link: linkById.get(s.cicId) }] : [])),
  );
  for (const s of staged) planStagedUser(s, linkById.get(s.cicId), conflicts.get(s.cicId), plan, options);

  const managed = [...links].sort((a, b) => byId(a.cicId, b.cicId)).filter((l) => !present.has(l.cicId));
  const total = options.linkedActiveTotal ?? links.filter((l) => l.genesysId && l.active && !isServiceUser(l.cicId, options.serviceUserName)).length;
  const block = massRemovalBlock(countRemovals(managed, options), total, options);
  if (!block) for (const link of managed) planRemoval(link, plan, options);
  else plan.blockedByMassRemoval = block;
  plan.invalid.sort((a, b) => byId(a.cicId ?? '', b.cicId ?? ''));
  return plan;
}

function checkThreshold(threshold: number) {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`massRemovalThreshold must be 0..1, got ${threshold}`);
  }
}

/** Plans one staged user against its link; `conflict` is its duplicate-email reason, if any. */
export function planStagedUser(
  s: StagedUser,
  link: UserLink | undefined,
  conflict: string | undefined,
  plan: UserSyncPlan,
  options: Pick<PlanOptions, 'hash'>,
): void {
  const cicId = s.cicId;
  if (s.status === 'invalid') {
    plan.invalid.push({ cicId, reason: s.reason });
    return;
  }
  if (s.status !== 'ok') {
    (s.status === 'excluded' ? plan.excluded : plan.notSynced).push({ cicId, reason: s.reason });
    return;
  }
  if (s.problems.length > 0) plan.problems.push({ cicId, messages: s.problems });
  if (conflict) {
    plan.conflicts.push({ cicId, reason: conflict });
    return;
  }
  if (!link?.genesysId) {
    plan.creates.push({ cicId, scim: s.scim, hash: s.hash });
    return;
  }
  const genesysId = link.genesysId;
  const changes = diffAttributes(link.syncedValues ?? undefined, s.scim);
  const entry = { cicId, genesysId, changes, patchOps: patchOpsFor(changes), scim: s.scim, hash: s.hash };
  if (!link.active) {
    entry.patchOps.unshift({ op: 'replace', path: 'active', value: true });
    plan.reactivations.push(entry);
    return;
  }
  const lastHash = link.syncedHash ?? (link.syncedValues ? options.hash(link.syncedValues) : undefined);
  if (s.hash === lastHash || changes.length === 0) {
    if (s.hash === lastHash && link.state === 'synced') plan.unchanged += 1;
    else plan.backInSync.push({ cicId, genesysId, scim: s.scim, hash: s.hash });
    return;
  }
  plan.updates.push(entry);
}

/** One CIC user with a business email, for the duplicate-email check. */
export interface EmailHolder {
  cicId: string;
  email: string;
  link: UserLink | undefined;
}

/**
 * CIC id → conflict reason, for users whose business email another CIC user also has. Pass every present
 * holder of each email concerned (a paged planner asks PostgreSQL for the duplicated emails only).
 */
export function duplicateEmailConflicts(holders: readonly EmailHolder[]): Map<string, string> {
  const groups = new Map<string, EmailHolder[]>();
  for (const h of [...holders].sort((a, b) => byId(a.cicId, b.cicId))) {
    const key = emailKey(h.email);
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  const conflicts = new Map<string, string>();
  for (const [key, members] of groups) {
    if (members.length < 2) continue;
    const holder = members.find((m) => {
      const email = linkedEmail(m.link);
      return Boolean(m.link?.genesysId) && email !== undefined && emailKey(email) === key;
    });
    for (const m of members) {
      if (m === holder) continue;
      const others = members.filter((o) => o !== m).map((o) => `'${o.cicId}'`);
      conflicts.set(
        m.cicId,
        holder
          ? `business email ${m.email} is already synced for CIC user '${holder.cicId}'`
          : `business email ${m.email} is also used by CIC user ${others.join(', ')}; fix the duplicate in CIC`,
      );
    }
  }
  return conflicts;
}

/** Links of users gone from CIC that would lose cloud access (the safeguard's numerator). */
export function countRemovals(goneLinks: readonly UserLink[], options: Pick<PlanOptions, 'serviceUserName'>): number {
  return goneLinks.filter((l) => l.genesysId && l.active && !isServiceUser(l.cicId, options.serviceUserName)).length;
}

/**
 * The mass-removal safeguard. Removals already made in the recent window count too: a directory emptied one
 * user at a time must trip it as surely as one emptied at once. They were active, so they count in the
 * total as well.
 */
export function massRemovalBlock(
  wouldDeactivate: number,
  total: number,
  options: Pick<PlanOptions, 'massRemovalThreshold' | 'recentRemovals' | 'allowMassRemoval'>,
): UserSyncPlan['blockedByMassRemoval'] {
  checkThreshold(options.massRemovalThreshold);
  const recent = options.recentRemovals ?? 0;
  const share = (wouldDeactivate + recent) / (total + recent);
  if (wouldDeactivate > 0 && share > options.massRemovalThreshold && !options.allowMassRemoval) {
    return { wouldDeactivate, recentlyRemoved: recent, total: total + recent, threshold: options.massRemovalThreshold };
  }
  return undefined;
}

/** Plans the link of a user gone from CIC (the safeguard has already let removals through). */
export function planRemoval(link: UserLink, plan: UserSyncPlan, options: Pick<PlanOptions, 'serviceUserName' | 'purge'>): void {
  if (isServiceUser(link.cicId, options.serviceUserName)) return;
  if (!link.genesysId) plan.staleLinks.push({ cicId: link.cicId });
  else if (options.purge) plan.deletions.push({ cicId: link.cicId, genesysId: link.genesysId });
  else if (link.active) {
    plan.deactivations.push({
      cicId: link.cicId,
      genesysId: link.genesysId,
      patchOps: [{ op: 'replace', path: 'active', value: false }],
    });
  }
}

/** A Genesys Cloud user found by userName or externalId before creating one. */
export interface CloudUserRef {
  id: string;
  externalId?: string | null;
  active: boolean;
}

export type MatchDecision =
  | { action: 'create' }
  | { action: 'link'; genesysId: string; changes: AttributeChange[]; patchOps: ScimPatchOp[] }
  | { action: 'conflict'; genesysId: string; reason: string };

/**
 * Decides how a planned create meets the cloud: nothing found → create; a user with no externalId, or with
 * ours (a previous run created it and crashed before recording the link) → link and send every synced
 * attribute; a user linked to another CIC id → conflict, reported and never overwritten. CIC ids are
 * case-insensitive, so an externalId differing only in case is ours and gets corrected.
 */
export function planMatch(desired: DesiredScimUser, found: CloudUserRef | null | undefined): MatchDecision {
  if (!found) return { action: 'create' };
  const theirs = found.externalId ?? '';
  if (theirs !== '' && theirs.toLowerCase() !== desired.externalId.toLowerCase()) {
    return {
      action: 'conflict',
      genesysId: found.id,
      reason: `Genesys Cloud user ${found.id} (${desired.userName}) is already linked to CIC user '${theirs}'`,
    };
  }
  const changes = diffAttributes(undefined, desired);
  const patchOps: ScimPatchOp[] = [];
  if (theirs !== desired.externalId)
    patchOps.push({ op: 'replace', path: 'externalId', value: desired.externalId });
  if (!found.active) patchOps.push({ op: 'replace', path: 'active', value: true });
  patchOps.push(...patchOpsFor(changes));
  return { action: 'link', genesysId: found.id, changes, patchOps };
}
