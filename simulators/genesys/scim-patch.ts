import { ApiError, isRecord } from './http';
import { canonicalValue } from './scim-canonical';
import {
  findAttr,
  PATCH_OP_SCHEMA,
  splitUrn,
  type AttrDef,
  type ResourceModel,
  type SchemaDef,
} from './scim-schema-defs';

/**
 * RFC 7644 §3.5.2 PATCH over a plain SCIM document. Supported path forms: `attr`, `attr.sub`,
 * `attr[x eq "v"]`, `attr[x eq "v"].sub`, each optionally URN-qualified, plus the whole extension URN.
 * The result is validated by the resource's normaliser afterwards, exactly like a PUT body.
 */

export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface PatchTarget {
  schema: SchemaDef;
  /** Undefined when the path names a whole extension object. */
  attr?: AttrDef;
  filter?: { attr: string; value: unknown };
  sub?: AttrDef;
}

export type PatchGuard = (t: PatchTarget) => void;

type Doc = Record<string, any>;

const syntax = (detail: string) => new ApiError(400, detail, { scimType: 'invalidSyntax' });
const badPath = (detail: string) => new ApiError(400, detail, { scimType: 'invalidPath' });
const noTarget = (detail: string) => new ApiError(400, detail, { scimType: 'noTarget' });
const readOnly = (name: string) =>
  new ApiError(400, `${name} is read-only and cannot be patched.`, { scimType: 'mutability' });

export function parsePatchRequest(body: unknown): PatchOp[] {
  if (!isRecord(body)) throw syntax('The PATCH body must be a JSON object.');
  const key = (k: string) => Object.keys(body).find((x) => x.toLowerCase() === k.toLowerCase());
  const schemas = body[key('schemas') ?? 'schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP_SCHEMA)) {
    throw syntax(`schemas must be ["${PATCH_OP_SCHEMA}"].`);
  }
  const ops = body[key('Operations') ?? 'Operations'];
  if (!Array.isArray(ops) || ops.length === 0) throw syntax('Operations must be a non-empty array.');
  if (ops.length > 1000) throw syntax('Operations holds more than 1000 operations.');
  return ops.map((o, i) => {
    if (!isRecord(o)) throw syntax(`Operations[${i}] must be an object.`);
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw syntax(`Operations[${i}].op must be add, replace or remove.`);
    }
    if (o.path !== undefined && (typeof o.path !== 'string' || o.path.trim() === '')) {
      throw badPath(`Operations[${i}].path must be a non-empty string.`);
    }
    if (op !== 'remove' && o.value === undefined) throw syntax(`Operations[${i}] (${op}) needs a value.`);
    return { op, path: o.path as string | undefined, value: o.value };
  });
}

const PATH_RE =
  /^([A-Za-z$][\w$-]*)(?:\[\s*([A-Za-z$][\w$]*)\s+eq\s+("(?:[^"\\]|\\.)*"|true|false|-?\d+(?:\.\d+)?)\s*\])?(?:\.([A-Za-z$][\w$]*))?$/i;

export function parsePath(path: string, model: ResourceModel): PatchTarget {
  const trimmed = path.trim();
  const urn = splitUrn(model, trimmed);
  const schema = urn?.schema ?? model.core;
  const rest = urn ? urn.rest : trimmed;
  if (rest === '') {
    if (schema === model.core) throw badPath(`Path ${path} does not name an attribute.`);
    return { schema };
  }
  const m = PATH_RE.exec(rest);
  if (!m) throw badPath(`Path ${path} is not a supported attribute path.`);
  const [, name, fAttr, fValue, subName] = m;
  if (['id', 'meta', 'schemas'].includes(name.toLowerCase())) throw readOnly(name);
  const attr = findAttr(schema.attributes, name);
  if (!attr) throw badPath(`Attribute ${name} is not part of ${schema.id}.`);
  const t: PatchTarget = { schema, attr };
  if (fAttr !== undefined) {
    if (!attr.multiValued || !attr.subAttributes)
      throw badPath(`${attr.name} is not multi-valued; a filter cannot apply.`);
    const fDef = findAttr(attr.subAttributes, fAttr);
    if (!fDef) throw badPath(`${attr.name} has no sub-attribute ${fAttr}.`);
    t.filter = { attr: fDef.name, value: JSON.parse(fValue) };
  }
  if (subName !== undefined) {
    const sub = findAttr(attr.subAttributes ?? [], subName);
    if (!sub) throw badPath(`${attr.name} has no sub-attribute ${subName}.`);
    if (attr.multiValued && !t.filter)
      throw badPath(`Path ${path} needs a value filter, e.g. ${attr.name}[type eq "work"].${sub.name}.`);
    t.sub = sub;
  }
  return t;
}

function matches(el: unknown, f: { attr: string; value: unknown }): boolean {
  if (!isRecord(el)) return false;
  const v = el[f.attr];
  if (typeof v === 'string' && typeof f.value === 'string' && f.attr !== 'value') {
    return v.toLowerCase() === f.value.toLowerCase();
  }
  return v === f.value;
}

// Genesys keeps one value per type (each maps to one profile field), so a typed value (emails, phones)
// is identified by its type; members, roles and the like by their value.
function identityKey(def: AttrDef): string | undefined {
  const subs = def.subAttributes ?? [];
  if (subs.some((s) => s.name === 'type' && s.canonicalValues)) return 'type';
  return ['value', 'name'].find((k) => subs.some((s) => s.name === k));
}

function sameIdentity(a: unknown, b: unknown, key: string | undefined): boolean {
  if (!key || !isRecord(a) || !isRecord(b)) return false;
  const x = a[key];
  const y = b[key];
  if (key === 'type' && typeof x === 'string' && typeof y === 'string')
    return x.toLowerCase() === y.toLowerCase();
  return x !== undefined && x === y;
}

function asArray(def: AttrDef, value: unknown): unknown[] {
  const fixed = canonicalValue(def, value);
  return Array.isArray(fixed) ? fixed : [fixed];
}

function container(doc: Doc, t: PatchTarget, model: ResourceModel, create: boolean): Doc | undefined {
  if (t.schema === model.core) return doc;
  if (!isRecord(doc[t.schema.id])) {
    if (!create) return undefined;
    doc[t.schema.id] = {};
    if (Array.isArray(doc.schemas) && !doc.schemas.includes(t.schema.id)) doc.schemas.push(t.schema.id);
  }
  return doc[t.schema.id];
}

function eachKey(value: unknown, fn: (path: string, v: unknown) => void, prefix = ''): void {
  if (!isRecord(value)) throw syntax('An operation without a path needs an object value.');
  for (const [k, v] of Object.entries(value)) {
    if (k.toLowerCase() === 'schemas') continue;
    fn(prefix + k, v);
  }
}

function applyOne(doc: Doc, op: PatchOp, model: ResourceModel, guard: PatchGuard): void {
  if (op.path === undefined) {
    if (op.op === 'remove') throw noTarget('remove needs a path.');
    eachKey(op.value, (path, v) => {
      const urn = splitUrn(model, path);
      if (urn && urn.rest === '' && urn.schema !== model.core)
        eachKey(
          v,
          (p, sv) => applyOne(doc, { ...op, path: p, value: sv }, model, guard),
          `${urn.schema.id}:`,
        );
      else applyOne(doc, { ...op, path, value: v }, model, guard);
    });
    return;
  }
  const t = parsePath(op.path, model);
  guard(t);
  if (!t.attr) {
    if (op.op === 'remove') {
      delete doc[t.schema.id];
      return;
    }
    eachKey(op.value, (p, v) =>
      applyOne(doc, { ...op, path: `${t.schema.id}:${p}`, value: v }, model, guard),
    );
    return;
  }
  const attr = t.attr;
  const c = container(doc, t, model, op.op !== 'remove');
  if (!c) {
    if (t.filter) throw noTarget(`No value matches ${op.path}.`);
    return;
  }
  if (t.filter) {
    const arr: unknown[] = Array.isArray(c[attr.name]) ? c[attr.name] : (c[attr.name] = []);
    const hits = arr.filter((el) => matches(el, t.filter!));
    if (op.op === 'remove') {
      if (!hits.length) throw noTarget(`No value matches ${op.path}.`);
      if (t.sub) for (const h of hits) delete (h as Doc)[t.sub.name];
      else c[attr.name] = arr.filter((el) => !hits.includes(el));
      return;
    }
    if (!hits.length) {
      if (op.op === 'replace') throw noTarget(`No value matches ${op.path}; use add to create it.`);
      const el: Doc = { [t.filter.attr]: t.filter.value };
      if (t.sub) el[t.sub.name] = op.value;
      else Object.assign(el, canonicalValue(attr, op.value));
      arr.push(el);
      return;
    }
    for (const h of hits as Doc[]) {
      if (t.sub) h[t.sub.name] = op.value;
      else if (op.op === 'add') Object.assign(h, canonicalValue(attr, op.value));
      else {
        const keep = h[t.filter.attr];
        for (const k of Object.keys(h)) delete h[k];
        Object.assign(h, { [t.filter.attr]: keep }, canonicalValue(attr, op.value));
      }
    }
    return;
  }
  if (t.sub) {
    if (op.op === 'remove') {
      if (isRecord(c[attr.name])) delete c[attr.name][t.sub.name];
      return;
    }
    if (!isRecord(c[attr.name])) c[attr.name] = {};
    c[attr.name][t.sub.name] = op.value;
    return;
  }
  if (op.op === 'remove') {
    if (attr.multiValued && op.value !== undefined && Array.isArray(c[attr.name])) {
      const gone = asArray(attr, op.value);
      const key = identityKey(attr);
      c[attr.name] = (c[attr.name] as unknown[]).filter((el) => !gone.some((g) => sameIdentity(el, g, key)));
    } else {
      delete c[attr.name];
    }
    return;
  }
  if (attr.multiValued) {
    const incoming = asArray(attr, op.value);
    if (op.op === 'replace' || !Array.isArray(c[attr.name])) {
      c[attr.name] = incoming;
      return;
    }
    const key = identityKey(attr);
    const arr = c[attr.name] as unknown[];
    for (const v of incoming) {
      const i = arr.findIndex((el) => sameIdentity(el, v, key));
      if (i >= 0) arr[i] = v;
      else arr.push(v);
    }
    return;
  }
  if (attr.subAttributes && isRecord(op.value) && op.op === 'add' && isRecord(c[attr.name])) {
    Object.assign(c[attr.name], canonicalValue(attr, op.value));
    return;
  }
  c[attr.name] = canonicalValue(attr, op.value);
}

/** Applies the operations to a copy of `doc`; the original is untouched if any operation fails. */
export function applyPatch(
  doc: Doc,
  ops: PatchOp[],
  model: ResourceModel,
  guard: PatchGuard = () => {},
): Doc {
  const copy = structuredClone(doc);
  for (const op of ops) applyOne(copy, op, model, guard);
  return copy;
}
