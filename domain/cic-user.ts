import { z } from 'zod';

/** The CIC phone fields the bridge syncs, as raw dial strings. */
export interface CicPhones {
  business?: string;
  business2?: string;
  mobile?: string;
  home?: string;
  fax?: string;
}

/** A CIC user reduced to what the bridge syncs; optional fields are absent when CIC has no value. */
export interface CicUser {
  id: string;
  /** CIC's user name is its configuration id; kept separate because it is what a missing display name falls back to. */
  userName: string;
  displayName?: string;
  email?: string;
  phones: CicPhones;
}

export type ParseCicUserResult = { ok: true; user: CicUser } | { ok: false; cicId?: string; reason: string };

// Only the properties the bridge maps are checked: a surprise in a property we never send (extension, dates,
// department...) must not stop a user from syncing. Null means "cleared" in ICWS change messages.
const text = z.string().nullish();

const rawCicUserSchema = z.object({
  configurationId: z.object({
    id: z.string().refine((s) => s.trim() !== '', 'must not be empty'),
  }),
  personalInformationProperties: z
    .object({
      displayName: text,
      emailAddress: text,
      businessNumber: text,
      business2Number: text,
      mobileNumber: text,
      homeNumber: text,
      faxNumber: text,
    })
    .nullish(),
});

export type EmailResult = { ok: true; value: string } | { ok: false; reason: string };

const localPartForbidden = /[\s<>()[\]\\,;:"@\p{Cc}]/u;
const domainLabel = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * The email becomes the Genesys login, so a malformed one is refused here rather than by the cloud. The
 * domain is case-insensitive and lower-cased; the local part keeps its case (RFC 5321 leaves it to the host).
 */
export function normaliseEmail(raw: string): EmailResult {
  const value = raw.trim().normalize('NFC');
  const bad = (why: string): EmailResult => ({ ok: false, reason: `business email '${raw}' ${why}` });
  const at = value.indexOf('@');
  if (at < 0 || at !== value.lastIndexOf('@')) return bad('must contain exactly one @');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (local === '' || local.length > 64) return bad('has an empty or over-long local part');
  if (
    localPartForbidden.test(local) ||
    local.startsWith('.') ||
    local.endsWith('.') ||
    local.includes('..')
  ) {
    return bad('has characters not allowed before the @');
  }
  const labels = domain.split('.');
  if (
    labels.length < 2 ||
    !labels.every((l) => domainLabel.test(l)) ||
    /^\d+$/.test(labels[labels.length - 1])
  ) {
    return bad('has an invalid domain');
  }
  const email = `${local}@${domain}`;
  if (email.length > 254) return bad('is longer than 254 characters');
  return { ok: true, value: email };
}

function present(v: string | null | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`).join('; ');
}

function readableId(raw: unknown): string | undefined {
  const id = (raw as { configurationId?: { id?: unknown } } | null | undefined)?.configurationId?.id;
  return typeof id === 'string' && id.trim() !== '' ? id : undefined;
}

/** Validates one raw ICWS user record; never throws, so one bad record cannot sink a batch. */
export function parseCicUser(raw: unknown): ParseCicUserResult {
  const parsed = rawCicUserSchema.safeParse(raw);
  const cicId = readableId(raw);
  if (!parsed.success) {
    return {
      ok: false,
      ...(cicId ? { cicId } : {}),
      reason: `invalid CIC user record: ${describeIssues(parsed.error)}`,
    };
  }
  const id = parsed.data.configurationId.id;
  const p = parsed.data.personalInformationProperties ?? {};
  const user: CicUser = { id, userName: id, phones: {} };
  const displayName = present(p.displayName)?.normalize('NFC');
  if (displayName) user.displayName = displayName;
  const rawEmail = present(p.emailAddress);
  if (rawEmail) {
    const email = normaliseEmail(rawEmail);
    if (!email.ok) return { ok: false, cicId: id, reason: email.reason };
    user.email = email.value;
  }
  const phones: [keyof CicPhones, string | null | undefined][] = [
    ['business', p.businessNumber],
    ['business2', p.business2Number],
    ['mobile', p.mobileNumber],
    ['home', p.homeNumber],
    ['fax', p.faxNumber],
  ];
  for (const [field, value] of phones) {
    const v = present(value);
    if (v) user.phones[field] = v;
  }
  return { ok: true, user };
}

/** A CIC directory read, split into usable users and records reported as invalid. */
export interface CicSnapshot {
  users: CicUser[];
  invalid: { cicId?: string; reason: string }[];
}

export function parseCicSnapshot(raws: readonly unknown[]): CicSnapshot {
  const snapshot: CicSnapshot = { users: [], invalid: [] };
  for (const raw of raws) {
    const r = parseCicUser(raw);
    if (r.ok) snapshot.users.push(r.user);
    else snapshot.invalid.push(r.cicId ? { cicId: r.cicId, reason: r.reason } : { reason: r.reason });
  }
  return snapshot;
}
