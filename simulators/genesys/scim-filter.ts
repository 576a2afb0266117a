import { ApiError } from './http';
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from './scim-schema-defs';

/**
 * The filters Genesys documents for SCIM lists: a single `attribute eq value`, nothing else (no and/or,
 * no other operators). Values may be quoted JSON strings (RFC 7644) or bare tokens (the Genesys SDK
 * examples show `userName eq search@sample.org`); `active` takes the literals true/false.
 */
export type UserFilterAttr =
  'id' | 'userName' | 'externalId' | 'email' | 'active' | 'manager' | 'division' | 'employeeNumber';
export type GroupFilterAttr = 'id' | 'displayName';

export interface EqFilter<A extends string> {
  attr: A;
  value: string | boolean;
}

const userAttrs: Record<string, UserFilterAttr> = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  email: 'email',
  emails: 'email',
  'emails.value': 'email',
  active: 'active',
  manager: 'manager',
  'manager.value': 'manager',
  division: 'division',
  employeenumber: 'employeeNumber',
};

const groupAttrs: Record<string, GroupFilterAttr> = { id: 'id', displayname: 'displayName' };

const FILTER_RE = /^\s*(\S+)\s+(\S+)\s+("(?:[^"\\]|\\.)*"|[^\s"]+)\s*$/;

const invalidFilter = (detail: string) => new ApiError(400, detail, { scimType: 'invalidFilter' });

function parse<A extends string>(filter: string, attrs: Record<string, A>, prefixes: string[]): EqFilter<A> {
  const m = FILTER_RE.exec(filter);
  if (!m) throw invalidFilter(`Filter "${filter}" is not of the form: attribute eq value.`);
  const [, rawAttr, op, rawValue] = m;
  if (op.toLowerCase() !== 'eq') {
    throw invalidFilter(`Filter operator "${op}" is not supported; only eq is.`);
  }
  let name = rawAttr.toLowerCase();
  for (const p of prefixes) if (name.startsWith(p.toLowerCase() + ':')) name = name.slice(p.length + 1);
  const attr = attrs[name];
  if (!attr) throw invalidFilter(`Filtering on "${rawAttr}" is not supported.`);
  let value: string | boolean;
  if (rawValue.startsWith('"')) {
    try {
      value = JSON.parse(rawValue) as string;
    } catch {
      throw invalidFilter(`Filter value ${rawValue} is not a valid string.`);
    }
  } else if (rawValue === 'true' || rawValue === 'false') {
    value = rawValue === 'true';
  } else {
    value = rawValue;
  }
  if (attr === 'active' && typeof value !== 'boolean') throw invalidFilter('active takes true or false.');
  if (attr !== 'active' && typeof value === 'boolean') value = String(value);
  return { attr, value };
}

export function parseUserFilter(filter: string): EqFilter<UserFilterAttr> {
  return parse(filter, userAttrs, [USER_SCHEMA, ENTERPRISE_SCHEMA]);
}

export function parseGroupFilter(filter: string): EqFilter<GroupFilterAttr> {
  return parse(filter, groupAttrs, ['urn:ietf:params:scim:schemas:core:2.0:Group']);
}
