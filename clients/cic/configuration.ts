import { IcwsError } from './errors';
import type { IcwsSession } from './session';
import type { IcwsUserRecord } from './types';

export interface ListUsersOptions {
  /** Comma-separated property paths, `*` for all; ICWS omits null properties either way. */
  select?: string;
  /** ICWS conditions joined by commas (AND), e.g. `configurationId.id sw St`. */
  where?: string;
  orderBy?: string;
  pageSize?: number;
  rightsFilter?: 'view' | 'admin';
  signal?: AbortSignal;
}

interface UsersPage {
  items?: IcwsUserRecord[];
}

/**
 * Pages of users, read with `Range: items=a-b` and ended by the total in `Content-Range: items a-b/total`.
 * Ordered by user id unless told otherwise, so offsets stay meaningful; a user seen on an earlier page is not
 * repeated when a concurrent change shifts the list. A reply without Content-Range is taken as complete.
 */
export async function* listUsers(
  session: IcwsSession,
  opts: ListUsersOptions = {},
): AsyncGenerator<IcwsUserRecord[]> {
  const pageSize = opts.pageSize ?? 200;
  const seen = new Set<string>();
  for (let first = 0; ; first += pageSize) {
    const res = await session
      .request<UsersPage>('GET', '/configuration/users', {
        query: {
          select: opts.select ?? '*',
          where: opts.where,
          orderBy: opts.orderBy ?? 'configurationId.id',
          rightsFilter: opts.rightsFilter,
        },
        headers: { Range: `items=${first}-${first + pageSize - 1}` },
        signal: opts.signal,
      })
      .catch((err: unknown) => {
        // The directory shrank under us and the next page starts past its end.
        if (err instanceof IcwsError && err.status === 416 && first > 0) return undefined;
        throw err;
      });
    if (!res) return;
    const items = res.body?.items ?? [];
    const fresh = items.filter((u) => {
      const key = u.configurationId.id.toLowerCase();
      return seen.has(key) ? false : (seen.add(key), true);
    });
    if (fresh.length > 0) yield fresh;
    const range = parseContentRange(res.headers.get('Content-Range'));
    if (!range || items.length === 0 || range.last + 1 >= range.total) return;
    first = range.last + 1 - pageSize;
  }
}

/** Every user in one array: for small directories and tests; sync code pages with `listUsers`. */
export async function readAllUsers(
  session: IcwsSession,
  opts: ListUsersOptions = {},
): Promise<IcwsUserRecord[]> {
  const all: IcwsUserRecord[] = [];
  for await (const page of listUsers(session, opts)) all.push(...page);
  return all;
}

/** One user, or undefined when CIC has no user with that id. */
export async function getUser(
  session: IcwsSession,
  id: string,
  select = '*',
  signal?: AbortSignal,
): Promise<IcwsUserRecord | undefined> {
  try {
    const res = await session.request<IcwsUserRecord>(
      'GET',
      `/configuration/users/${encodeURIComponent(id)}`,
      { query: { select }, signal },
    );
    return res.body;
  } catch (err) {
    if (err instanceof IcwsError && err.status === 404) return undefined;
    throw err;
  }
}

export async function userExists(session: IcwsSession, id: string): Promise<boolean> {
  return (await getUser(session, id, 'configurationId')) !== undefined;
}

export function parseContentRange(
  header: string | null,
): { first: number; last: number; total: number } | undefined {
  const m = /^\s*items\s+(\d+)-(\d+)\/(\d+)\s*$/i.exec(header ?? '');
  return m ? { first: Number(m[1]), last: Number(m[2]), total: Number(m[3]) } : undefined;
}
