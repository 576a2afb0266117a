import { ApiError, send, type Ctx } from './http';
import { isTrimmed, type Projection } from './scim-attributes';
import { LIST_RESPONSE_SCHEMA } from './scim-schema-defs';

export interface Paging {
  startIndex: number;
  count: number;
}

function intParam(ctx: Ctx, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw new ApiError(400, `${name} must be an integer.`, { scimType: 'invalidValue' });
  return Number(raw);
}

/**
 * 1-based paging (RFC 7644 §3.4.2.4): startIndex below 1 means 1, a negative count means 0, and count is
 * capped at maxPageSize. Genesys warns that pages above 25 can exceed internal limits and answer 429 unless
 * `attributes`/`excludedAttributes` trim the result; the simulator always does so, without Retry-After,
 * because repeating the same request cannot succeed.
 */
export function pagingFrom(ctx: Ctx, projection: Projection): Paging {
  const st = ctx.state.settings;
  const startIndex = Math.max(1, intParam(ctx, 'startIndex') ?? 1);
  const count = Math.min(st.maxPageSize, Math.max(0, intParam(ctx, 'count') ?? st.defaultPageSize));
  if (count > st.defaultPageSize && !isTrimmed(projection)) {
    throw new ApiError(
      429,
      `count ${count} exceeds ${st.defaultPageSize} without attributes or excludedAttributes; trim the result or page by ${st.defaultPageSize}.`,
      { code: 'too.many.requests' },
    );
  }
  return { startIndex, count };
}

/** Takes one page from an iterable without materialising the rest. */
export function page<T>(items: Iterable<T>, paging: Paging): T[] {
  const out: T[] = [];
  if (paging.count === 0) return out;
  if (Array.isArray(items)) return items.slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count);
  let i = 0;
  for (const item of items) {
    i++;
    if (i < paging.startIndex) continue;
    out.push(item);
    if (out.length >= paging.count) break;
  }
  return out;
}

export function sendList(ctx: Ctx, total: number, paging: Paging, resources: unknown[]): void {
  send(ctx, 200, {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    startIndex: paging.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  });
}
