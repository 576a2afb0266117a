import type { DesiredScimUser, ScimPhoneType } from './user-mapping';
import { phoneMapping } from './user-mapping';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** One SCIM PatchOp operation (RFC 7644 §3.5.2). */
export type ScimPatchOp =
  { op: 'add' | 'replace'; path: string; value: string | boolean } | { op: 'remove'; path: string };

const phonePath = (type: ScimPhoneType) => `phoneNumbers[type eq "${type}"]`;
const workEmailPath = 'emails[type eq "work"].value';

/**
 * The synced attributes, named by their SCIM path (DESIGN.md §3), in a fixed order so plans and change logs
 * read the same every run. `active` and `externalId` are not here: they are set by (re)activation and linking.
 */
export const syncedAttributes: readonly string[] = [
  'displayName',
  'userName',
  workEmailPath,
  ...phoneMapping.map((p) => `${phonePath(p.type)}.value`),
];

export interface AttributeChange {
  attribute: string;
  /** null: the attribute was not set (or was never synced). */
  before: string | null;
  /** null: the attribute is cleared in CIC. */
  after: string | null;
}

/** Flattens a desired user to SCIM path → value; attributes without a value are absent. */
export function attributeValues(user: DesiredScimUser): Map<string, string> {
  const values = new Map<string, string>([
    ['displayName', user.displayName],
    ['userName', user.userName],
  ]);
  const work = user.emails.find((e) => e.type === 'work');
  if (work) values.set(workEmailPath, work.value);
  for (const phone of user.phoneNumbers) values.set(`${phonePath(phone.type)}.value`, phone.value);
  return values;
}

/** Attribute-level difference; `before` undefined means nothing is known to have been synced. */
export function diffAttributes(
  before: DesiredScimUser | undefined,
  after: DesiredScimUser,
): AttributeChange[] {
  const was = before ? attributeValues(before) : new Map<string, string>();
  const now = attributeValues(after);
  const changes: AttributeChange[] = [];
  for (const attribute of syncedAttributes) {
    const b = was.get(attribute) ?? null;
    const a = now.get(attribute) ?? null;
    if (b !== a) changes.push({ attribute, before: b, after: a });
  }
  return changes;
}

/**
 * Turns changes into PatchOps. A value that was not there before is an `add` on the filtered `.value` path
 * (the form Genesys accepts from Entra ID); RFC 7644 would answer a `replace` whose filter matches nothing
 * with 400 noTarget. A cleared phone removes the whole typed entry, not just its value.
 */
export function patchOpsFor(changes: readonly AttributeChange[]): ScimPatchOp[] {
  return changes.map(({ attribute, before, after }): ScimPatchOp => {
    if (after === null) return { op: 'remove', path: attribute.replace(/\.value$/, '') };
    const singleValued = attribute === 'displayName' || attribute === 'userName';
    return { op: before === null && !singleValued ? 'add' : 'replace', path: attribute, value: after };
  });
}

/** The subset of a SCIM user read back from Genesys Cloud that drift detection looks at. */
export interface CloudScimUser {
  userName?: string;
  displayName?: string;
  emails?: { type?: string; value?: string }[];
  phoneNumbers?: { type?: string; value?: string }[];
}

const comparable = (attribute: string, v: string | undefined) => {
  if (v === undefined) return null;
  if (attribute === 'userName' || attribute === workEmailPath) return v.toLowerCase();
  return attribute.startsWith('phoneNumbers') ? v.replace(/^tel:/i, '') : v;
};

/**
 * Cloud-side edits to synced attributes, relative to what the bridge last sent. Reported, never undone:
 * DESIGN.md §3 lets cloud edits stand until the attribute changes in CIC.
 */
export function findDrift(synced: DesiredScimUser, cloud: CloudScimUser): AttributeChange[] {
  const cloudValues = new Map<string, string>();
  if (cloud.displayName !== undefined) cloudValues.set('displayName', cloud.displayName);
  if (cloud.userName !== undefined) cloudValues.set('userName', cloud.userName);
  const work = cloud.emails?.find((e) => e.type === 'work');
  if (work?.value !== undefined) cloudValues.set(workEmailPath, work.value);
  for (const p of cloud.phoneNumbers ?? []) {
    if (p.type && p.value !== undefined)
      cloudValues.set(`${phonePath(p.type as ScimPhoneType)}.value`, p.value);
  }
  const mine = attributeValues(synced);
  const drift: AttributeChange[] = [];
  for (const attribute of syncedAttributes) {
    const b = mine.get(attribute);
    const a = cloudValues.get(attribute);
    if (comparable(attribute, b) !== comparable(attribute, a))
      drift.push({ attribute, before: b ?? null, after: a ?? null });
  }
  return drift;
}
