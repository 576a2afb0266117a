import { icwsError } from './http';
import { personalInformationKeys, type CicUserRecord } from './user-record';

/**
 * The `select`, `where` and `orderBy` language of `GET /configuration/users`, and the projection the user
 * subscription shares with it. String comparisons ignore case, as CIC ids do.
 */

const modelled = [
  'configurationId',
  'personalInformationProperties',
  'extension',
  'statusText',
  'lastModifiedDate',
  'createdDate',
];
/** Real user properties we hold no values for; selecting them is legal and returns nothing, like a null property. */
const unmodelled = [
  'mailboxProperties',
  'workgroups',
  'roles',
  'skills',
  'licenseProperties',
  'ntDomainUser',
  'homeSite',
];
const subPaths: Record<string, readonly string[]> = {
  configurationId: ['id', 'displayName', 'uri'],
  personalInformationProperties: personalInformationKeys,
};

export type Selection = 'all' | { whole: Set<string>; parts: Map<string, Set<string>> };

function checkPath(path: string, param: string): [string, string | undefined] {
  const [top, sub, ...rest] = path.split('.');
  const known = modelled.includes(top) || unmodelled.includes(top);
  const subOk = sub === undefined || (subPaths[top]?.includes(sub) ?? unmodelled.includes(top));
  if (!known || !subOk || rest.length > 0) {
    throw icwsError(400, 'error.request.invalidQueryParameter', `${param}: unknown property '${path}'.`, {
      propertyName: param,
    });
  }
  return [top, sub];
}

/** `undefined` or empty select returns only `configurationId`, as ICWS does. */
export function parseSelect(select: string | null | undefined, param = 'select'): Selection {
  const selection = { whole: new Set<string>(['configurationId']), parts: new Map<string, Set<string>>() };
  for (const raw of (select ?? '').split(',')) {
    const path = raw.trim();
    if (path === '') continue;
    if (path === '*') return 'all';
    const [top, sub] = checkPath(path, param);
    if (sub === undefined) selection.whole.add(top);
    else selection.parts.set(top, (selection.parts.get(top) ?? new Set()).add(sub));
  }
  return selection;
}

export function parseProperties(properties: string[]): Selection {
  return parseSelect(properties.join(','), 'properties');
}

export function project(record: CicUserRecord, selection: Selection): Record<string, unknown> {
  if (selection === 'all') return record as unknown as Record<string, unknown>;
  const source = record as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of modelled) {
    const value = source[key];
    if (value === undefined) continue;
    if (selection.whole.has(key)) out[key] = value;
    else if (selection.parts.has(key)) {
      const picked = Object.fromEntries(
        [...selection.parts.get(key)!].flatMap((sub) => {
          const v = (value as Record<string, unknown>)[sub];
          return v === undefined ? [] : [[sub, v]];
        }),
      );
      if (Object.keys(picked).length > 0) out[key] = picked;
    }
  }
  return out;
}

export function valueAt(record: CicUserRecord, path: string): string | undefined {
  let value: unknown = record;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === 'string' ? value : undefined;
}

type Predicate = (record: CicUserRecord) => boolean;

/** `path op value` conditions joined by commas, all of which must hold (AND). Operators: eq, sw, ct. */
export function parseWhere(where: string | null | undefined): Predicate {
  const conditions: Predicate[] = [];
  for (const raw of (where ?? '').split(',')) {
    if (raw.trim() === '') continue;
    const m = /^\s*(\S+)\s+(eq|sw|ct)\s(.*)$/i.exec(raw);
    if (!m)
      throw icwsError(400, 'error.request.invalidQueryParameter', `where: cannot parse '${raw.trim()}'.`, {
        propertyName: 'where',
      });
    const [, path, op, rawValue] = m;
    checkPath(path, 'where');
    const wanted = rawValue.trim().toLowerCase();
    const test =
      op.toLowerCase() === 'eq'
        ? (v: string) => v === wanted
        : op.toLowerCase() === 'sw'
          ? (v: string) => v.startsWith(wanted)
          : (v: string) => v.includes(wanted);
    conditions.push((record) => {
      const value = valueAt(record, path);
      return value !== undefined && test(value.toLowerCase());
    });
  }
  return (record) => conditions.every((c) => c(record));
}

/**
 * One field, optionally followed by `desc` (or `asc`); users without the value come first in ascending order,
 * ties go by user id. Keys are computed once per sort: 100,000 users are sorted on every cache miss.
 */
export function parseOrderBy(
  orderBy: string | null | undefined,
): (records: CicUserRecord[]) => CicUserRecord[] {
  const [path = 'configurationId.id', direction = 'asc', ...rest] = (orderBy ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
    throw icwsError(400, 'error.request.invalidQueryParameter', `orderBy: cannot parse '${orderBy}'.`, {
      propertyName: 'orderBy',
    });
  }
  checkPath(path, 'orderBy');
  const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
  return (records) => {
    const keyed = records.map((record) => ({
      record,
      key: valueAt(record, path)?.toLowerCase() ?? '',
      id: record.configurationId.id.toLowerCase(),
    }));
    keyed.sort((a, b) => {
      if (a.key !== b.key) return a.key < b.key ? -sign : sign;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    return keyed.map((k) => k.record);
  };
}

/** `Range: items=<first>-<last>`; anything else is ignored, as HTTP says an unparseable Range must be. */
export function parseItemsRange(header: string | undefined): { first: number; last: number } | undefined {
  const m = /^\s*items\s*=\s*(\d+)\s*-\s*(\d+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  return last >= first ? { first, last } : undefined;
}
