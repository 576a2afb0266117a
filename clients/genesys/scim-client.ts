import type { HttpClient, RequestOptions } from './http';
import {
  createScimListing,
  projectionQuery,
  type CallOptions,
  type FindOptions,
  type ListOptions,
  type PageOptions,
  type Projection,
} from './scim-listing';
import {
  SCIM_PATCH_SCHEMA,
  SCIM_USER_SCHEMA,
  withVersion,
  type ScimFilterTerm,
  type ScimListResponse,
  type ScimPage,
  type ScimPatchOperation,
  type ScimUser,
  type ScimUserInput,
} from './scim-types';

export type { CallOptions, FindOptions, ListOptions, PageOptions, Projection } from './scim-listing';

export interface ScimClientOptions {
  /** Its base URL is the SCIM root's host, e.g. `https://api.mypurecloud.com`. */
  http: HttpClient;
  /** Default `/api/v2/scim/v2` (Genesys); `''` when the HTTP client's base URL is the SCIM root itself. */
  basePath?: string;
  /** Genesys: lower-case `/users` and `/serviceproviderconfig` (RFC 7644 spells `/Users`). */
  resourcePaths?: { users?: string; serviceProviderConfig?: string };
  /** Genesys: pages above 25 may answer 429 unless `attributes` trims them, so 25 is the default. */
  pageSize?: number;
}

export const NOT_MODIFIED = 'not-modified' as const;
type Versioned = CallOptions & { ifMatch?: string };

export interface ScimClient {
  getUser(id: string, opts?: CallOptions & Projection): Promise<ScimUser>;
  /** With If-None-Match: NOT_MODIFIED (a 304) while the user still has that version. */
  getUser(
    id: string,
    opts: CallOptions & Projection & { ifNoneMatch: string },
  ): Promise<ScimUser | typeof NOT_MODIFIED>;
  findUsers(terms: ScimFilterTerm[], opts?: FindOptions): Promise<ScimUser[]>;
  listUsers(opts?: ListOptions): Promise<ScimListResponse<ScimUser>>;
  pages(opts?: PageOptions): AsyncGenerator<ScimPage<ScimUser>>;
  createUser(user: ScimUserInput, opts?: CallOptions): Promise<ScimUser>;
  patchUser(id: string, ops: ScimPatchOperation[], opts?: Versioned): Promise<ScimUser>;
  replaceUser(id: string, user: ScimUserInput, opts?: Versioned): Promise<ScimUser>;
  deleteUser(id: string, opts?: Versioned): Promise<void>;
  serviceProviderConfig(opts?: CallOptions): Promise<Record<string, unknown>>;
}

/**
 * An RFC 7643/7644 SCIM 2.0 client for any compliant service provider; Genesys-specific behaviour is marked
 * "Genesys:". Failures arrive classified: a stale version is ScimError 'ScimInvalidVersion' (Genesys answers
 * 400 invalidVers, RFC servers 412; re-read and try again), a duplicate 'ScimConflict', a missing user
 * 'ScimNotFound'. Single-resource answers carry the ETag in `meta.version`, ready for If-Match.
 * Default priorities: reads and updates normal, lists and creates low, deletes high.
 */
export function createScimClient(opts: ScimClientOptions): ScimClient {
  const root = opts.basePath ?? '/api/v2/scim/v2';
  const usersPath = root + (opts.resourcePaths?.users ?? '/users');
  const userPath = (id: string) => `${usersPath}/${encodeURIComponent(id)}`;
  const ifMatch = (v?: string): Record<string, string> => (v ? { 'If-Match': v } : {});
  const call = <T>(o: RequestOptions) =>
    opts.http.request<T>({
      ...o,
      contentType: 'application/scim+json',
      headers: { Accept: 'application/scim+json, application/json', ...o.headers },
    });
  const listing = createScimListing({ call, usersPath, pageSize: opts.pageSize ?? 25 });

  async function write(o: RequestOptions, id?: string): Promise<ScimUser> {
    const res = await call<ScimUser>(o);
    // RFC 7644 §3.5.2 lets a server answer a PATCH with 204 and no resource; Genesys returns the user.
    if (id && (res.status === 204 || !res.body))
      return getUser(id, { priority: o.priority, signal: o.signal });
    return withVersion(res.body, res.headers.get('etag'));
  }

  async function getUser(
    id: string,
    o: CallOptions & Projection & { ifNoneMatch?: string } = {},
  ): Promise<any> {
    const res = await call<ScimUser>({
      method: 'GET',
      path: userPath(id),
      query: projectionQuery(o),
      headers: o.ifNoneMatch ? { 'If-None-Match': o.ifNoneMatch } : {},
      accept: [304],
      priority: o.priority ?? 'normal',
      signal: o.signal,
    });
    return res.status === 304 ? NOT_MODIFIED : withVersion(res.body, res.headers.get('etag'));
  }

  return {
    ...listing,
    getUser,
    // SCIM has no idempotency key, so a create is never repeated in-client: after an unknown outcome the
    // caller looks the user up by externalId (the CIC user id) before trying again.
    createUser: (user, o = {}) =>
      write({
        method: 'POST',
        path: usersPath,
        body: { ...user, schemas: user.schemas ?? [SCIM_USER_SCHEMA] },
        priority: o.priority ?? 'low',
        signal: o.signal,
      }),
    patchUser: (id, ops, o = {}) =>
      write(
        {
          method: 'PATCH',
          path: userPath(id),
          body: { schemas: [SCIM_PATCH_SCHEMA], Operations: ops },
          headers: ifMatch(o.ifMatch),
          priority: o.priority ?? 'normal',
          signal: o.signal,
        },
        id,
      ),
    replaceUser: (id, user, o = {}) =>
      write(
        {
          method: 'PUT',
          path: userPath(id),
          body: { ...user, schemas: user.schemas ?? [SCIM_USER_SCHEMA] },
          headers: ifMatch(o.ifMatch),
          priority: o.priority ?? 'normal',
          signal: o.signal,
        },
        id,
      ),
    async deleteUser(id, o = {}) {
      const { signal, priority = 'high' } = o;
      await call({ method: 'DELETE', path: userPath(id), headers: ifMatch(o.ifMatch), priority, signal });
    },
    async serviceProviderConfig(o = {}) {
      const path = root + (opts.resourcePaths?.serviceProviderConfig ?? '/serviceproviderconfig');
      const { signal, priority = 'low' } = o;
      return (await call<Record<string, unknown>>({ method: 'GET', path, priority, signal })).body;
    },
  };
}
