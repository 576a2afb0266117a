import { icwsError, sendJson, sessionRoute, type SessionRoute } from './http';
import type { IcwsServer } from './server';
import type { DirectoryStore } from './store';
import { parseItemsRange, parseOrderBy, parseSelect, parseWhere, project } from './user-query';
import type { CicUserRecord } from './user-record';

/** Most users one response carries; a client pages with `Range: items=<first>-<last>` for the rest. */
export const userPageSize = 200;

/**
 * Filtered and sorted results by (where, orderBy), valid while the directory version holds: a client paging
 * through 100,000 users asks the same question 500 times.
 */
class ResultCache {
  private readonly entries = new Map<string, CicUserRecord[]>();

  constructor(private readonly directory: DirectoryStore) {}

  get(where: string, orderBy: string): CicUserRecord[] {
    const key = `${this.directory.version}\n${where}\n${orderBy}`;
    let result = this.entries.get(key);
    if (!result) {
      const predicate = parseWhere(where);
      const sort = parseOrderBy(orderBy);
      result = sort(this.directory.list().filter(predicate));
      if (this.entries.size >= 8) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, result);
    }
    return result;
  }
}

/**
 * `GET /configuration/users` always pages: without a Range header it returns the first page, with
 * `Content-Range` telling the total; 206 whenever the answer is a part (or a Range was asked for), 416 when the
 * range starts past the end.
 */
export function configurationRoutes(server: IcwsServer): SessionRoute[] {
  const cache = new ResultCache(server.deps.directory);
  return [
    sessionRoute('GET', '/configuration/users', ({ req, res, url }) => {
      const q = url.searchParams;
      const selection = parseSelect(q.get('select'));
      checkRightsFilter(q.get('rightsFilter'));
      const matches = cache.get(q.get('where') ?? '', q.get('orderBy') ?? '');
      const total = matches.length;
      const range = parseItemsRange(req.headers.range);
      if (total === 0) return sendJson(res, 200, { items: [] }, { 'Content-Range': 'items */0' });
      const first = range?.first ?? 0;
      if (first >= total) {
        throw icwsError(
          416,
          'error.request.rangeNotSatisfiable',
          `The range starts past item ${total - 1}.`,
        ).withHeaders({
          'Content-Range': `items */${total}`,
        });
      }
      const last = Math.min(range?.last ?? Number.MAX_SAFE_INTEGER, first + userPageSize - 1, total - 1);
      const items = matches.slice(first, last + 1).map((u) => project(u, selection));
      const partial = range !== undefined || first > 0 || last < total - 1;
      sendJson(res, partial ? 206 : 200, { items }, { 'Content-Range': `items ${first}-${last}/${total}` });
    }),
    sessionRoute('GET', '/configuration/users/{id}', ({ res, url, params }) => {
      const selection = parseSelect(url.searchParams.get('select'));
      checkRightsFilter(url.searchParams.get('rightsFilter'));
      const user = server.deps.directory.get(params[0]);
      if (!user) throw icwsError(404, 'error.request.notFound', `User ${params[0]} does not exist.`);
      sendJson(res, 200, project(user, selection));
    }),
  ];
}

function checkRightsFilter(value: string | null): void {
  if (value !== null && !['view', 'admin'].includes(value)) {
    throw icwsError(
      400,
      'error.request.invalidQueryParameter',
      `rightsFilter: '${value}' is neither view nor admin.`,
    );
  }
}
