import { ApiError, send, type Ctx } from './http';
import { etagMatches, formatEtag } from './scim-etag';
import {
  enterpriseSchema,
  genesysSchema,
  groupSchema,
  LIST_RESPONSE_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SPC_SCHEMA,
  userSchema,
  type AttrDef,
  type SchemaDef,
} from './scim-schema-defs';

const SCIM_BASE = '/api/v2/scim/v2';

function renderAttr(a: AttrDef): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    description: a.description ?? a.name,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: a.mutability ?? 'readWrite',
    returned: a.returned ?? (a.name === 'userName' ? 'always' : 'default'),
    uniqueness: a.uniqueness ?? 'none',
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(renderAttr) } : {}),
  };
}

const metaSchemas: SchemaDef[] = [
  {
    id: SPC_SCHEMA,
    name: 'Service Provider Configuration',
    description: 'Service provider features',
    attributes: [],
  },
  { id: RESOURCE_TYPE_SCHEMA, name: 'ResourceType', description: 'Resource types', attributes: [] },
  { id: SCHEMA_SCHEMA, name: 'Schema', description: 'Schema definitions', attributes: [] },
];

function renderSchema(ctx: Ctx, schema: SchemaDef) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(renderAttr),
    meta: { resourceType: 'Schema', location: `${ctx.urls.api}${SCIM_BASE}/schemas/${schema.id}` },
  };
}

const allSchemas = [userSchema, groupSchema, enterpriseSchema, genesysSchema, ...metaSchemas];

function resourceTypes(ctx: Ctx) {
  const rt = (id: string, endpoint: string, schema: string, extensions: string[] = []) => ({
    schemas: [RESOURCE_TYPE_SCHEMA],
    id,
    name: id,
    endpoint,
    description: id,
    schema,
    ...(extensions.length
      ? { schemaExtensions: extensions.map((e) => ({ schema: e, required: false })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${ctx.urls.api}${SCIM_BASE}/resourcetypes/${id}` },
  });
  return [
    rt('User', '/users', userSchema.id, [enterpriseSchema.id, genesysSchema.id]),
    rt('Group', '/groups', groupSchema.id),
    rt('ServiceProviderConfig', '/serviceproviderconfig', SPC_SCHEMA),
    rt('ResourceType', '/resourcetypes', RESOURCE_TYPE_SCHEMA),
    rt('Schema', '/schemas', SCHEMA_SCHEMA),
  ];
}

function listOf(resources: unknown[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

// RFC 7644 §4: filtering the discovery endpoints SHOULD be answered with 403.
function refuseFilter(ctx: Ctx): void {
  if (ctx.query.has('filter')) throw new ApiError(403, 'Filtering is not supported on this endpoint.');
}

export function listSchemas(ctx: Ctx): void {
  refuseFilter(ctx);
  send(ctx, 200, listOf(allSchemas.map((sch) => renderSchema(ctx, sch))));
}

export function getSchema(ctx: Ctx): void {
  const schema = allSchemas.find((sch) => sch.id === ctx.params.id);
  if (!schema) throw new ApiError(404, `Schema ${ctx.params.id} not found.`);
  send(ctx, 200, renderSchema(ctx, schema));
}

export function listResourceTypes(ctx: Ctx): void {
  refuseFilter(ctx);
  send(ctx, 200, listOf(resourceTypes(ctx)));
}

export function getResourceType(ctx: Ctx): void {
  const found = resourceTypes(ctx).find((r) => r.id === ctx.params.id);
  if (!found) throw new ApiError(404, `Resource type ${ctx.params.id} not found.`);
  send(ctx, 200, found);
}

const SPC_VERSION = 1;

export function getServiceProviderConfig(ctx: Ctx): void {
  const etag = formatEtag(SPC_VERSION);
  const inm = ctx.req.headers['if-none-match'];
  if (inm && etagMatches(inm, SPC_VERSION)) {
    ctx.res.setHeader('ETag', etag);
    ctx.res.statusCode = 304;
    ctx.res.end();
    return;
  }
  const st = ctx.state.settings;
  send(
    ctx,
    200,
    {
      schemas: [SPC_SCHEMA],
      documentationUri: 'https://developer.genesys.cloud/useragentmanagement/scim/',
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: st.maxBodyBytes },
      filter: { supported: true, maxResults: st.maxPageSize },
      changePassword: { supported: true },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'Genesys Cloud OAuth client-credentials bearer token',
          primary: true,
        },
      ],
      meta: {
        resourceType: 'ServiceProviderConfig',
        location: `${ctx.urls.api}${SCIM_BASE}/serviceproviderconfig`,
        version: etag,
      },
    },
    { ETag: etag },
  );
}
