import { isRecord } from './http';
import { findAttr, splitUrn, type AttrDef, type ResourceModel } from './scim-schema-defs';

/**
 * Rewrites a client document with canonical attribute names (RFC 7643 §2.1: names are case-insensitive)
 * and drops attributes the model does not know, the way Genesys ignores unsupported SCIM attributes.
 * Fully qualified keys (`urn:...:enterprise:2.0:User:division`) land in their extension object.
 */
export function canonicalizeDoc(raw: Record<string, unknown>, model: ResourceModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const lk = key.toLowerCase();
    if (lk === 'schemas') {
      out.schemas = value;
      continue;
    }
    if (lk === 'id' || lk === 'meta') continue;
    const urn = splitUrn(model, key);
    if (urn) {
      if (urn.schema === model.core) {
        if (urn.rest) putAttr(out, model.core.attributes, urn.rest, value);
        continue;
      }
      const ext = (out[urn.schema.id] ??= {}) as Record<string, unknown>;
      if (urn.rest === '') {
        if (isRecord(value)) {
          for (const [k, v] of Object.entries(value)) putAttr(ext, urn.schema.attributes, k, v);
        } else {
          out[urn.schema.id] = value;
        }
      } else {
        putAttr(ext, urn.schema.attributes, urn.rest, value);
      }
      continue;
    }
    putAttr(out, model.core.attributes, key, value);
  }
  return out;
}

function putAttr(target: Record<string, unknown>, attrs: AttrDef[], name: string, value: unknown): void {
  const def = findAttr(attrs, name);
  if (!def) return;
  target[def.name] = canonicalValue(def, value);
}

export function canonicalValue(def: AttrDef, value: unknown): unknown {
  if (!def.subAttributes) return value;
  const fix = (v: unknown): unknown => {
    if (!isRecord(v)) return v;
    const o: Record<string, unknown> = {};
    for (const [k, sv] of Object.entries(v)) {
      const sub = findAttr(def.subAttributes ?? [], k);
      if (sub) o[sub.name] = sv;
    }
    return o;
  };
  return Array.isArray(value) ? value.map(fix) : fix(value);
}
