/** RFC 7643/7644 shapes the bridge reads and writes, and the filter syntax it builds. */

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Genesys's own extension (routingSkills, routingLanguages, externalIds). */
export const GENESYS_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

export interface ScimMultiValue {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

export interface ScimMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  /** The entity tag (`"42"` or `W/"42"`), sent back verbatim in If-Match. */
  version?: string;
}

export interface ScimUser {
  schemas: string[];
  id: string;
  userName: string;
  displayName?: string;
  active: boolean;
  externalId?: string;
  title?: string;
  emails?: ScimMultiValue[];
  phoneNumbers?: ScimMultiValue[];
  roles?: { value: string }[];
  groups?: ScimMultiValue[];
  meta?: ScimMeta;
  [extension: `urn:${string}`]: unknown;
}

/** What a create or replace sends: no server-assigned `id` or `meta`; `schemas` defaults to core User. */
export type ScimUserInput = Omit<ScimUser, 'id' | 'meta' | 'schemas' | 'active' | 'groups'> & {
  schemas?: string[];
  active?: boolean;
  password?: string;
};

export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface ScimListResponse<T> {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** One page of a listing, with where the next one starts so long runs can checkpoint and resume. */
export interface ScimPage<T> {
  resources: T[];
  startIndex: number;
  totalResults: number;
  nextStartIndex: number | undefined;
}

export type ScimFilterAttribute = 'userName' | 'externalId' | 'id' | 'active';

export interface ScimFilterTerm {
  attribute: ScimFilterAttribute;
  value: string | boolean;
}

/**
 * One `attribute eq value` comparison (RFC 7644 §3.4.2.2). Strings are JSON string literals, which is the
 * RFC's quoting: `"` and `\` are escaped and control characters become \u escapes, so an address such as
 * `o"brien@x.com` cannot end the literal early. Booleans are the bare literals true/false.
 */
export function eqFilter(term: ScimFilterTerm): string {
  const value = typeof term.value === 'boolean' ? String(term.value) : JSON.stringify(term.value);
  return `${term.attribute} eq ${value}`;
}

/** Several terms joined with `and` (RFC 7644); see findUsers for servers that only take one. */
export function andFilter(terms: ScimFilterTerm[]): string {
  return terms.map(eqFilter).join(' and ');
}

/** Makes `meta.version` the response's ETag, which is what If-Match must echo. */
export function withVersion(user: ScimUser, etag: string | null): ScimUser {
  if (!etag || user.meta?.version === etag) return user;
  return { ...user, meta: { ...user.meta, version: etag } };
}
