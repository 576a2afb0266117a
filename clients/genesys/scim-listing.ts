import { ScimError } from './errors';
import type { HttpResponse, RequestOptions } from './http';
import type { Priority } from './request-budget';
import {
  eqFilter,
  type ScimFilterTerm,
  type ScimListResponse,
  type ScimPage,
  type ScimUser,
} from './scim-types';

export type CallOptions = { priority?: Priority; signal?: AbortSignal };
export type Projection = { attributes?: string[]; excludedAttributes?: string[] };
export type ListOptions = CallOptions & Projection & { startIndex?: number; count?: number; filter?: string };
export type PageOptions = Omit<ListOptions, 'count'> & { pageSize?: number };
export type FindOptions = CallOptions & Projection & { includeInactive?: boolean };

export const projectionQuery = (p: Projection) => ({
  attributes: p.attributes?.join(','),
  excludedAttributes: p.excludedAttributes?.join(','),
});

const rank: Record<ScimFilterTerm['attribute'], number> = { id: 0, externalId: 1, userName: 2, active: 3 };

function matches(u: ScimUser, t: ScimFilterTerm): boolean {
  // RFC 7643: userName is case-insensitive; id and externalId are case-exact.
  if (t.attribute === 'userName') return String(u.userName).toLowerCase() === String(t.value).toLowerCase();
  return u[t.attribute] === t.value;
}

/** Listing, paging and lookups over `/users`; `call` is the SCIM client's request function. */
export function createScimListing(deps: {
  call: <T>(o: RequestOptions) => Promise<HttpResponse<T>>;
  usersPath: string;
  pageSize: number;
}) {
  // Whether the server takes `... and active eq false`; learnt on first use (see findUsers).
  let compoundFilters: boolean | undefined;

  async function listUsers(o: ListOptions = {}): Promise<ScimListResponse<ScimUser>> {
    const query = {
      ...projectionQuery(o),
      filter: o.filter,
      startIndex: o.startIndex ?? 1,
      count: o.count ?? deps.pageSize,
    };
    const { signal, priority = 'low' } = o;
    const res = await deps.call<ScimListResponse<ScimUser>>({
      method: 'GET',
      path: deps.usersPath,
      query,
      priority,
      signal,
    });
    return { ...res.body, Resources: res.body.Resources ?? [] };
  }

  /**
   * Every page, 1-based (RFC 7644 §3.4.2.4), each with the index the next one starts at, so a long run can
   * checkpoint (heartbeat) that cursor and resume from it. Offset paging over a directory that changes
   * meanwhile may skip or repeat a user; reconciliation treats a listing as a snapshot, not as the truth.
   */
  async function* pages(o: PageOptions = {}): AsyncGenerator<ScimPage<ScimUser>> {
    let start = o.startIndex ?? 1;
    for (;;) {
      const page = await listUsers({ ...o, startIndex: start, count: o.pageSize ?? deps.pageSize });
      const next = start + page.Resources.length;
      const more = page.Resources.length > 0 && next <= page.totalResults;
      const nextStartIndex = more ? next : undefined;
      yield { resources: page.Resources, startIndex: start, totalResults: page.totalResults, nextStartIndex };
      if (!more) return;
      start = next;
    }
  }

  async function collect(filter: string, o: FindOptions): Promise<ScimUser[]> {
    const out: ScimUser[] = [];
    for await (const page of pages({ ...o, filter, priority: o.priority ?? 'normal' }))
      out.push(...page.resources);
    return out;
  }

  /**
   * Users matching every term. Genesys: only single `attribute eq value` filters are documented, so the
   * server gets the most selective term and the others are checked here. Genesys: an unfiltered list hides
   * inactive users ("use active eq false"); whether an identity filter does too is not documented, so with
   * includeInactive a miss is asked again as `<term> and active eq false`. A server that refuses that
   * compound filter (400) is taken to return inactive users to identity filters already, as the simulator
   * does, and is not asked again. Without includeInactive, inactive users are dropped from the answer.
   */
  async function findUsers(terms: ScimFilterTerm[], o: FindOptions = {}): Promise<ScimUser[]> {
    if (!terms.length) throw new TypeError('findUsers needs at least one filter term');
    const [first, ...rest] = [...terms].sort((a, b) => rank[a.attribute] - rank[b.attribute]);
    const keep = (u: ScimUser) =>
      rest.every((t) => matches(u, t)) && (o.includeInactive || u.active !== false);
    const found = (await collect(eqFilter(first), o)).filter(keep);
    const onActive = terms.some((t) => t.attribute === 'active');
    if (found.length || !o.includeInactive || onActive || compoundFilters === false) return found;
    try {
      const inactive = await collect(`${eqFilter(first)} and active eq false`, o);
      compoundFilters = true;
      return inactive.filter(keep);
    } catch (err) {
      if (!(err instanceof ScimError) || err.status !== 400) throw err;
      compoundFilters = false;
      return [];
    }
  }

  return { listUsers, pages, findUsers };
}
