/**
 * CIC status → Genesys Cloud system presence. The mapping returns the presence NAME; the definition id is
 * resolved at runtime from GET /api/v2/presence/definitions (resolvePresenceDefinitionId).
 *
 * Default table (first rule that applies wins; every row can be overridden per CIC status id):
 *
 *   1. user logged out of CIC                                   → Offline
 *   2. operator override for the status id                      → as configured
 *   3. standard CIC statuses, by status id (or English text):
 *        Available, Available No ACD, Available Remote,
 *        Working at Home                                        → Available
 *        Away from desk, Out of the Office, Out of Town,
 *        ACD - Agent Not Answering                              → Away
 *        Do Not Disturb, Follow Up                              → Busy
 *        At Lunch → Meal · At Play → Break · At a Training Session → Training
 *        In a meeting → Meeting · Gone Home, On Vacation → Offline
 *   4. status group says lunch/meal, break, training, meeting,
 *      or gone/vacation/offline                                 → Meal, Break, Training, Meeting, Offline
 *   5. do-not-disturb or after-call-work flag                   → Busy
 *   6. status group says available / away / busy                → Available / Away / Busy
 *   7. ACD flag (the status takes ACD interactions)             → Available
 *   8. anything else                                            → Away
 *
 * Named statuses and specific groups come before the flags because they say more: a meeting status with
 * the DND option is better shown as Meeting than as Busy. On Queue and Idle are never chosen by default:
 * CIC, not Genesys, routes the interactions, and Idle is Genesys's own inactivity signal.
 */
import { z } from 'zod';

export const systemPresences = [
  'Available',
  'Away',
  'Busy',
  'Offline',
  'Idle',
  'On Queue',
  'Meal',
  'Training',
  'Meeting',
  'Break',
] as const;

export type SystemPresence = (typeof systemPresences)[number];

/** Primary definition ids seen across orgs (reference §5.1); a fallback and simulator seed, not a source of truth. */
export const knownSystemPresenceIds: Readonly<Record<SystemPresence, string>> = {
  Available: '6a3af858-942f-489d-9700-5f9bcdcdae9b',
  Away: '5e5c5c66-ea97-4e7f-ac41-6424784829f2',
  Busy: '31fe3bac-dea6-44b7-bed7-47f91660a1a0',
  Offline: 'ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5',
  Idle: '7ffa01cd-7866-4ad7-8faa-31e11b42f51f',
  'On Queue': 'e08eaf1b-ee47-4fa9-a231-1200e284798f',
  Meal: '3fd96123-badb-4f69-bc03-1b1ccc6d8014',
  Training: 'd2390a99-8546-bad9-8f0a-219548e8aeb0',
  Meeting: 'bbdff279-7ae1-48ea-bade-7831d7234c64',
  Break: '227b37e2-f1d0-4dd0-8f50-badd7cf6d158',
};

/** A CIC status message as listed by ICWS `status/status-messages` (only the fields the mapping reads). */
export interface CicStatusMessage {
  statusId: string;
  messageText?: string | null;
  groupTag?: string | null;
  isDoNotDisturbStatus?: boolean | null;
  isAfterCallWorkStatus?: boolean | null;
  isAcdStatus?: boolean | null;
}

/** Status id → presence, as an operator configures it; ids are case-insensitive like CIC's. */
export const presenceOverridesSchema = z.record(z.string().min(1), z.enum(systemPresences));
export type PresenceOverrides = Readonly<Record<string, SystemPresence>>;

// Punctuation and case vary between id and display text ("Available, No ACD", "AcdAgentNotAnswering").
const looseKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const standardStatuses: ReadonlyMap<string, SystemPresence> = new Map(
  (
    [
      ['Available', 'Available'],
      ['Available No ACD', 'Available'],
      ['Available Remote', 'Available'],
      ['Working at Home', 'Available'],
      ['Away from desk', 'Away'],
      ['Out of the Office', 'Away'],
      ['Out of Town', 'Away'],
      ['ACD - Agent Not Answering', 'Away'],
      ['Do Not Disturb', 'Busy'],
      ['Follow Up', 'Busy'],
      ['At Lunch', 'Meal'],
      ['At Play', 'Break'],
      ['At a Training Session', 'Training'],
      ['In a meeting', 'Meeting'],
      ['Gone Home', 'Offline'],
      ['On Vacation', 'Offline'],
    ] as const
  ).map(([name, presence]) => [looseKey(name), presence]),
);

const specificGroups: readonly [RegExp, SystemPresence][] = [
  [/lunch|meal/, 'Meal'],
  [/break/, 'Break'],
  [/train/, 'Training'],
  [/meeting/, 'Meeting'],
  [/gone|vacation|holiday|offline|logged ?out/, 'Offline'],
];

const genericGroups: readonly [RegExp, SystemPresence][] = [
  [/available/, 'Available'],
  [/away|out/, 'Away'],
  [/busy|do ?not ?disturb|dnd|follow/, 'Busy'],
];

export interface PresenceDecision {
  presence: SystemPresence;
  /** Which rule of the default table decided, for the integration-health page. */
  because: string;
}

function findOverride(
  statusId: string,
  overrides: PresenceOverrides | undefined,
): SystemPresence | undefined {
  if (!overrides) return undefined;
  const id = statusId.trim().toLowerCase();
  const key = Object.keys(overrides).find((k) => k.trim().toLowerCase() === id);
  return key === undefined ? undefined : overrides[key];
}

export function explainPresence(status: CicStatusMessage, overrides?: PresenceOverrides): PresenceDecision {
  const override = findOverride(status.statusId, overrides);
  if (override) return { presence: override, because: `override for status '${status.statusId}'` };
  const standard =
    standardStatuses.get(looseKey(status.statusId)) ??
    (status.messageText ? standardStatuses.get(looseKey(status.messageText)) : undefined);
  if (standard) return { presence: standard, because: 'standard CIC status' };
  const group = (status.groupTag ?? '').toLowerCase();
  const specific = group && specificGroups.find(([re]) => re.test(group));
  if (specific) return { presence: specific[1], because: `status group '${status.groupTag}'` };
  if (status.isDoNotDisturbStatus) return { presence: 'Busy', because: 'do-not-disturb status' };
  if (status.isAfterCallWorkStatus) return { presence: 'Busy', because: 'after-call-work status' };
  const generic = group && genericGroups.find(([re]) => re.test(group));
  if (generic) return { presence: generic[1], because: `status group '${status.groupTag}'` };
  if (status.isAcdStatus) return { presence: 'Available', because: 'ACD status' };
  return { presence: 'Away', because: 'no rule matched' };
}

export function presenceForStatus(status: CicStatusMessage, overrides?: PresenceOverrides): SystemPresence {
  return explainPresence(status, overrides).presence;
}

/** CIC status ids are case-insensitive. */
export function findStatus(
  catalog: readonly CicStatusMessage[],
  statusId: string,
): CicStatusMessage | undefined {
  const id = statusId.toLowerCase();
  return catalog.find((s) => s.statusId.toLowerCase() === id);
}

/**
 * Presence for a user status from ICWS `status/user-statuses`. A status missing from the catalog (it changed
 * since the catalog was read) is still mapped by its id.
 */
export function presenceForUserStatus(
  userStatus: { statusId?: string | null; loggedIn: boolean },
  catalog: readonly CicStatusMessage[],
  overrides?: PresenceOverrides,
): SystemPresence {
  if (!userStatus.loggedIn || !userStatus.statusId) return 'Offline';
  const status = findStatus(catalog, userStatus.statusId) ?? { statusId: userStatus.statusId };
  return presenceForStatus(status, overrides);
}

/** A presence definition as listed by GET /api/v2/presence/definitions. */
export interface PresenceDefinition {
  id: string;
  systemPresence: string;
  type?: string | null;
  deactivated?: boolean | null;
}

/**
 * Picks the org's definition for a system presence, preferring the primary (type System) one. Payloads spell
 * system presences both as "On Queue" and "ON_QUEUE", so both are accepted.
 */
export function resolvePresenceDefinitionId(
  presence: SystemPresence,
  definitions: readonly PresenceDefinition[],
): string | undefined {
  const wanted = looseKey(presence);
  const candidates = definitions.filter((d) => !d.deactivated && looseKey(d.systemPresence) === wanted);
  return (candidates.find((d) => d.type?.toLowerCase() === 'system') ?? candidates[0])?.id;
}
