import { ApiError, isRecord } from './http';
import { canonicalizeDoc } from './scim-canonical';
import { formatEtag } from './scim-etag';
import { ENTERPRISE_SCHEMA, GENESYS_SCHEMA, PHONE_TYPES, USER_SCHEMA, userModel } from './scim-schema-defs';
import type { UserDirectory, UserDoc, UserRecord } from './user-directory';

export const E164 = /^\+[1-9]\d{7,14}$/;
export const TEL_URI = /^tel:\+[1-9]\d{7,14}(;ext=\d{1,10})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4}-\d{2}-\d{2})(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

export type WriteMode = 'create' | 'replace' | 'patch';

const invalid = (detail: string) => new ApiError(400, detail, { scimType: 'invalidValue' });

function str(v: unknown, name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  if (v === undefined || v === null) {
    if (opts.required) throw invalid(`${name} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalid(`${name} must be a string.`);
  if (opts.required && v.trim() === '') throw invalid(`${name} must not be empty.`);
  if (v.length > (opts.max ?? 1024)) throw invalid(`${name} is longer than ${opts.max ?? 1024} characters.`);
  return v;
}

function list(v: unknown, name: string, max = 100): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`${name} must be an array.`);
  if (v.length > max) throw invalid(`${name} holds more than ${max} values.`);
  return v;
}

function onePrimary(items: { primary?: boolean }[], name: string): void {
  if (items.filter((i) => i.primary === true).length > 1)
    throw invalid(`Only one of ${name} may be primary.`);
}

function primaryOf(v: Record<string, unknown>, name: string): { primary?: boolean } {
  if (v.primary === undefined) return {};
  if (typeof v.primary !== 'boolean') throw invalid(`${name}.primary must be a boolean.`);
  return { primary: v.primary };
}

function phones(v: unknown): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out = list(v, 'phoneNumbers').map((p) => {
    if (!isRecord(p)) throw invalid('phoneNumbers entries must be objects.');
    const type = str(p.type, 'phoneNumbers.type', { required: true })!.toLowerCase();
    if (!PHONE_TYPES.includes(type)) {
      throw invalid(`phoneNumbers.type ${p.type} is not one of ${PHONE_TYPES.join(', ')}.`);
    }
    if (seen.has(type)) throw invalid(`phoneNumbers holds more than one number of type ${type}.`);
    seen.add(type);
    const value = str(p.value, `phoneNumbers[type eq "${type}"].value`, { required: true })!;
    if (!E164.test(value) && !TEL_URI.test(value)) {
      throw invalid(`phone number ${value} is neither E.164 (+ and 8-15 digits) nor a tel: URI.`);
    }
    return { value, type, ...primaryOf(p, 'phoneNumbers') };
  });
  onePrimary(out, 'phoneNumbers');
  return out;
}

/** Only the work email is stored; the `other` entry is the login email and always mirrors userName. */
function workEmails(v: unknown, userName: string, previousUserName?: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const e of list(v, 'emails')) {
    if (!isRecord(e)) throw invalid('emails entries must be objects.');
    const type = str(e.type, 'emails.type', { required: true })!.toLowerCase();
    const value = str(e.value, 'emails.value', { required: true })!;
    if (type === 'other') {
      const ok = [userName, previousUserName].some((n) => n && n.toLowerCase() === value.toLowerCase());
      if (!ok) {
        throw new ApiError(400, 'emails[type eq "other"] mirrors userName and cannot be set separately.', {
          scimType: 'mutability',
        });
      }
      continue;
    }
    if (type !== 'work')
      throw invalid(`emails.type ${e.type} is not supported; use work (other mirrors userName).`);
    if (out.length) throw invalid('emails holds more than one work email.');
    if (!EMAIL.test(value)) throw invalid(`emails[type eq "work"].value ${value} is not an email address.`);
    out.push({ value, type, ...primaryOf(e, 'emails') });
  }
  onePrimary(out, 'emails');
  return out;
}

function nameProficiencies(v: unknown, name: string): Record<string, unknown>[] {
  return list(v, name, 50).map((x) => {
    if (!isRecord(x)) throw invalid(`${name} entries must be objects.`);
    const n = str(x.name, `${name}.name`, { required: true });
    if (typeof x.proficiency !== 'number' || x.proficiency < 0 || x.proficiency > 5) {
      throw invalid(`${name}.proficiency must be a number from 0 to 5.`);
    }
    return { name: n, proficiency: x.proficiency };
  });
}

function enterprise(v: unknown, dir: UserDirectory, selfId?: string): Record<string, unknown> {
  const e = v === undefined ? {} : v;
  if (!isRecord(e)) throw invalid(`${ENTERPRISE_SCHEMA} must be an object.`);
  const out: Record<string, unknown> = { division: str(e.division, 'division', { max: 255 }) ?? 'Home' };
  const department = str(e.department, 'department', { max: 255 });
  if (department !== undefined) out.department = department;
  if (e.manager !== undefined && e.manager !== null) {
    const managerId =
      typeof e.manager === 'string' ? e.manager : isRecord(e.manager) ? e.manager.value : undefined;
    if (typeof managerId !== 'string' || managerId === '') throw invalid('manager.value must be a user id.');
    if (managerId === selfId || !dir.users.has(managerId))
      throw invalid(`manager ${managerId} is not a user of this organization.`);
    out.manager = { value: managerId };
  }
  const employeeNumber = str(e.employeeNumber, 'employeeNumber', { max: 255 });
  if (employeeNumber !== undefined) out.employeeNumber = employeeNumber;
  const dateHire = str(e.dateHire, 'dateHire');
  if (dateHire !== undefined) {
    const m = DATE.exec(dateHire);
    if (!m || Number.isNaN(Date.parse(m[1])))
      throw invalid('dateHire must be YYYY-MM-DD or an ISO-8601 date-time.');
    out.dateHire = m[1];
  }
  return out;
}

function genesys(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw invalid(`${GENESYS_SCHEMA} must be an object.`);
  const out: Record<string, unknown> = {};
  if (v.routingSkills !== undefined) out.routingSkills = nameProficiencies(v.routingSkills, 'routingSkills');
  if (v.routingLanguages !== undefined)
    out.routingLanguages = nameProficiencies(v.routingLanguages, 'routingLanguages');
  if (v.externalIds !== undefined) {
    out.externalIds = list(v.externalIds, 'externalIds').map((x) => {
      if (!isRecord(x)) throw invalid('externalIds entries must be objects.');
      return {
        authority: str(x.authority, 'externalIds.authority', { required: true }),
        value: str(x.value, 'externalIds.value', { required: true }),
      };
    });
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Validates a client document (POST/PUT body, or the result of applying PATCH operations) and returns the
 * normalised document. PUT keeps `active`, `roles` and the password when the body omits them; everything
 * else a PUT omits is cleared (RFC 7644 §3.5.1).
 */
export function normalizeUser(
  raw: unknown,
  mode: WriteMode,
  dir: UserDirectory,
  existing?: UserRecord,
): { doc: UserDoc; password?: string } {
  if (!isRecord(raw))
    throw new ApiError(400, 'The user must be a JSON object.', { scimType: 'invalidSyntax' });
  const d = mode === 'patch' ? raw : canonicalizeDoc(raw, userModel);
  if (!Array.isArray(d.schemas) || !d.schemas.includes(USER_SCHEMA)) {
    throw new ApiError(400, `schemas must include ${USER_SCHEMA}.`, { scimType: 'invalidSyntax' });
  }
  const userName = str(d.userName, 'userName', { required: true, max: 255 })!;
  if (!EMAIL.test(userName)) throw invalid(`userName ${userName} is not an email address.`);
  const displayName = str(d.displayName, 'displayName', { required: true, max: 255 })!;
  let active = existing?.doc.active ?? true;
  if (d.active !== undefined) {
    if (typeof d.active !== 'boolean') throw invalid('active must be a boolean.');
    active = d.active;
  } else if (mode === 'patch') {
    throw new ApiError(400, 'active cannot be removed.', { scimType: 'mutability' });
  }
  const password = str(d.password, 'password', { max: 255 });
  const doc: UserDoc = {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    userName,
    displayName,
    active,
  };
  const title = str(d.title, 'title', { max: 255 });
  if (title !== undefined) doc.title = title;
  const externalId = str(d.externalId, 'externalId', { max: 255 });
  if (externalId !== undefined) {
    if (externalId === '') throw invalid('externalId must not be empty.');
    doc.externalId = externalId;
  }
  doc.emails = [
    { value: userName, type: 'other' },
    ...workEmails(d.emails, userName, existing?.doc.userName),
  ];
  doc.phoneNumbers = phones(d.phoneNumbers);
  const roles =
    d.roles === undefined && existing && mode === 'replace'
      ? existing.doc.roles
      : d.roles === undefined && mode === 'create'
        ? [{ value: 'employee' }]
        : list(d.roles, 'roles').map((r) => {
            if (!isRecord(r)) throw invalid('roles entries must be objects.');
            return { value: str(r.value, 'roles.value', { required: true }) };
          });
  doc.roles = roles;
  doc[ENTERPRISE_SCHEMA] = enterprise(d[ENTERPRISE_SCHEMA], dir, existing?.id);
  const ext = genesys(d[GENESYS_SCHEMA]);
  if (ext) {
    doc[GENESYS_SCHEMA] = ext;
    doc.schemas.push(GENESYS_SCHEMA);
  }
  return { doc, password };
}

export function userLocation(apiBase: string, id: string): string {
  return `${apiBase}/api/v2/scim/v2/users/${id}`;
}

/** The full SCIM representation; `groups` is derived from group membership (read-only on the user). */
export function renderUser(rec: UserRecord, dir: UserDirectory, apiBase: string): Record<string, unknown> {
  const groups = [...(dir.groupsOfUser.get(rec.id) ?? [])].map((gid) => ({
    value: gid,
    display: dir.groups.get(gid)?.doc.displayName,
    $ref: `${apiBase}/api/v2/scim/v2/groups/${gid}`,
  }));
  return {
    ...rec.doc,
    id: rec.id,
    groups,
    meta: {
      resourceType: 'User',
      created: rec.created,
      lastModified: rec.lastModified,
      location: userLocation(apiBase, rec.id),
      version: formatEtag(rec.version),
    },
  };
}
