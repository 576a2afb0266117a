import type { CicPhones, CicUser } from './cic-user';
import { normalisePhone, type CountryCode } from './phone';

export type ScimPhoneType = 'work' | 'work2' | 'mobile' | 'home' | 'other';

/** What the bridge wants a CIC user to look like in Genesys Cloud (SCIM 2.0 core attributes only). */
export interface DesiredScimUser {
  externalId: string;
  userName: string;
  displayName: string;
  emails: [{ type: 'work'; value: string; primary: true }];
  phoneNumbers: { type: ScimPhoneType; value: string }[];
  active: true;
}

/** DESIGN.md §3: CIC phone field → Genesys phone type, in the order they are sent. */
export const phoneMapping: readonly { field: keyof CicPhones; type: ScimPhoneType; label: string }[] = [
  { field: 'business', type: 'work', label: 'Business phone' },
  { field: 'business2', type: 'work2', label: 'Business 2 phone' },
  { field: 'mobile', type: 'mobile', label: 'Mobile phone' },
  { field: 'home', type: 'home', label: 'Home phone' },
  { field: 'fax', type: 'other', label: 'Fax' },
];

/** The CIC account the bridge itself connects as; the seed requires it to exist and forbids touching it. */
export const DEFAULT_SERVICE_USER = 'PureCloudAdmin';

/** CIC user ids are case-insensitive, so the service user is matched that way. */
export function isServiceUser(cicId: string, serviceUserName: string = DEFAULT_SERVICE_USER): boolean {
  return cicId.trim().toLowerCase() === serviceUserName.trim().toLowerCase();
}

export interface MappingOptions {
  defaultCountry: CountryCode;
  serviceUserName?: string;
}

export const NO_BUSINESS_EMAIL = 'no business email';
export const SERVICE_USER_REASON = 'the bridge service user is never synced';

export type MappingResult =
  | { ok: true; scim: DesiredScimUser; problems: string[] }
  | { ok: false; state: 'not-synced'; reason: typeof NO_BUSINESS_EMAIL }
  | { ok: false; state: 'excluded'; reason: typeof SERVICE_USER_REASON };

/**
 * Maps a CIC user to its desired Genesys Cloud shape. A phone that cannot be normalised is left out and
 * reported, and the rest of the user still syncs (DESIGN.md §3).
 */
export function toScimUser(user: CicUser, opts: MappingOptions): MappingResult {
  if (isServiceUser(user.id, opts.serviceUserName)) {
    return { ok: false, state: 'excluded', reason: SERVICE_USER_REASON };
  }
  if (!user.email) return { ok: false, state: 'not-synced', reason: NO_BUSINESS_EMAIL };
  const problems: string[] = [];
  const phoneNumbers: DesiredScimUser['phoneNumbers'] = [];
  for (const { field, type, label } of phoneMapping) {
    const raw = user.phones[field];
    if (raw === undefined) continue;
    const phone = normalisePhone(raw, opts.defaultCountry);
    if (phone.ok) phoneNumbers.push({ type, value: phone.value });
    else problems.push(`${label} '${raw}' is not a valid number for ${opts.defaultCountry}: ${phone.reason}`);
  }
  return {
    ok: true,
    scim: {
      externalId: user.id,
      userName: user.email,
      displayName: user.displayName ?? user.userName,
      emails: [{ type: 'work', value: user.email, primary: true }],
      phoneNumbers,
      active: true,
    },
    problems,
  };
}
