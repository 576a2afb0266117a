/**
 * The SCIM attribute model the simulator serves: used to canonicalise attribute names (RFC 7643 §2.1: names
 * are case-insensitive), to drive PATCH paths, and to answer `/schemas`. Attribute sets follow the Genesys
 * SDK models (ScimV2User, ScimV2EnterpriseUser, ScimUserExtensions, ScimV2Group).
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GENESYS_SCHEMA = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface AttrDef {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime' | 'decimal';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  subAttributes?: AttrDef[];
  description?: string;
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttrDef[];
}

export const PHONE_TYPES = [
  'work',
  'work2',
  'work3',
  'work4',
  'home',
  'mobile',
  'other',
  'microsoftteams',
  'zoomphone',
];

const s = (name: string, extra: Partial<AttrDef> = {}): AttrDef => ({ name, type: 'string', ...extra });
const typedValue = (types: string[]): AttrDef[] => [
  s('value'),
  s('type', { canonicalValues: types }),
  { name: 'primary', type: 'boolean' },
];
const nameProficiency: AttrDef[] = [s('name', { caseExact: true }), { name: 'proficiency', type: 'decimal' }];

export const userSchema: SchemaDef = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'Genesys Cloud user',
  attributes: [
    s('userName', { required: true, uniqueness: 'server', description: 'Genesys Cloud login email' }),
    s('displayName', { required: true }),
    { name: 'active', type: 'boolean' },
    s('title'),
    s('password', { mutability: 'writeOnly', returned: 'never' }),
    { name: 'phoneNumbers', type: 'complex', multiValued: true, subAttributes: typedValue(PHONE_TYPES) },
    { name: 'emails', type: 'complex', multiValued: true, subAttributes: typedValue(['work', 'other']) },
    s('externalId', { caseExact: true }),
    {
      name: 'groups',
      type: 'complex',
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [s('value', { caseExact: true }), s('$ref'), s('display')],
    },
    { name: 'roles', type: 'complex', multiValued: true, subAttributes: [s('value')] },
  ],
};

export const enterpriseSchema: SchemaDef = {
  id: ENTERPRISE_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise user extension',
  attributes: [
    s('division'),
    s('department'),
    {
      name: 'manager',
      type: 'complex',
      subAttributes: [
        s('value', { caseExact: true }),
        s('$ref'),
        s('displayName', { mutability: 'readOnly' }),
      ],
    },
    s('employeeNumber'),
    s('dateHire'),
  ],
};

export const genesysSchema: SchemaDef = {
  id: GENESYS_SCHEMA,
  name: 'GenesysCloudUser',
  description: 'Genesys Cloud user extension',
  attributes: [
    { name: 'routingSkills', type: 'complex', multiValued: true, subAttributes: nameProficiency },
    { name: 'routingLanguages', type: 'complex', multiValued: true, subAttributes: nameProficiency },
    {
      name: 'externalIds',
      type: 'complex',
      multiValued: true,
      subAttributes: [s('authority', { caseExact: true }), s('value', { caseExact: true })],
    },
  ],
};

export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Genesys Cloud group',
  attributes: [
    s('displayName', { required: true }),
    s('externalId', { caseExact: true }),
    {
      name: 'members',
      type: 'complex',
      multiValued: true,
      subAttributes: [s('value', { caseExact: true }), s('$ref'), s('display'), s('type')],
    },
  ],
};

/** A resource type's core schema plus its extensions, keyed for case-insensitive lookup. */
export interface ResourceModel {
  core: SchemaDef;
  extensions: SchemaDef[];
}

export const userModel: ResourceModel = { core: userSchema, extensions: [enterpriseSchema, genesysSchema] };
export const groupModel: ResourceModel = { core: groupSchema, extensions: [] };

export function findAttr(attrs: AttrDef[], name: string): AttrDef | undefined {
  const lower = name.toLowerCase();
  return attrs.find((a) => a.name.toLowerCase() === lower);
}

/** Finds the schema a URN-qualified name starts with: returns the schema and the remainder (or ''). */
export function splitUrn(
  model: ResourceModel,
  name: string,
): { schema: SchemaDef; rest: string } | undefined {
  const lower = name.toLowerCase();
  for (const schema of [model.core, ...model.extensions]) {
    const urn = schema.id.toLowerCase();
    if (lower === urn) return { schema, rest: '' };
    if (lower.startsWith(urn + ':')) return { schema, rest: name.slice(urn.length + 1) };
  }
  return undefined;
}
