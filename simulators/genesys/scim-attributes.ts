import { isRecord } from './http';
import { splitUrn, type ResourceModel } from './scim-schema-defs';

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5). Paths are lower-cased segment lists; an
 * extension attribute is `[urn, attr, sub?]`. Attributes that are always returned survive both.
 */
type AttrPath = string[];

export interface Projection {
  include?: AttrPath[];
  exclude?: AttrPath[];
  always: Set<string>;
}

function parseList(param: string | null, model: ResourceModel): AttrPath[] | undefined {
  if (param === null || param.trim() === '') return undefined;
  return param
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const urn = splitUrn(model, p);
      if (!urn) return p.toLowerCase().split('.');
      const rest = urn.rest ? urn.rest.toLowerCase().split('.') : [];
      return urn.schema === model.core ? rest : [urn.schema.id.toLowerCase(), ...rest];
    })
    .filter((p) => p.length > 0);
}

export function projectionFrom(query: URLSearchParams, model: ResourceModel, always: string[]): Projection {
  return {
    include: parseList(query.get('attributes'), model),
    exclude: parseList(query.get('excludedAttributes'), model),
    always: new Set(always.map((a) => a.toLowerCase())),
  };
}

export function isTrimmed(p: Projection): boolean {
  return p.include !== undefined || p.exclude !== undefined;
}

function pick(value: unknown, paths: AttrPath[]): unknown {
  if (paths.some((p) => p.length === 0)) return value;
  if (Array.isArray(value)) return value.map((v) => pick(v, paths));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const lk = k.toLowerCase();
    const sub = paths.filter((p) => p[0] === lk).map((p) => p.slice(1));
    if (sub.length) out[k] = pick(v, sub);
  }
  return out;
}

function drop(value: unknown, paths: AttrPath[]): unknown {
  if (Array.isArray(value)) return value.map((v) => drop(v, paths));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const lk = k.toLowerCase();
    const sub = paths.filter((p) => p[0] === lk).map((p) => p.slice(1));
    if (sub.some((p) => p.length === 0)) continue;
    out[k] = sub.length ? drop(v, sub) : v;
  }
  return out;
}

export function project(resource: Record<string, unknown>, p: Projection): Record<string, unknown> {
  if (!p.include && !p.exclude) return resource;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    const lk = k.toLowerCase();
    if (p.always.has(lk)) {
      out[k] = v;
      continue;
    }
    if (p.include) {
      const sub = p.include.filter((x) => x[0] === lk).map((x) => x.slice(1));
      if (sub.length) out[k] = pick(v, sub);
      continue;
    }
    const sub = (p.exclude ?? []).filter((x) => x[0] === lk).map((x) => x.slice(1));
    if (sub.some((x) => x.length === 0)) continue;
    out[k] = sub.length ? drop(v, sub) : v;
  }
  return out;
}
