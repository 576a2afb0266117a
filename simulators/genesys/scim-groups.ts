import { ApiError, isRecord, jsonBody, send, type Ctx } from './http';
import { project, projectionFrom } from './scim-attributes';
import { canonicalizeDoc } from './scim-canonical';
import { checkIfMatch, etagMatches, formatEtag } from './scim-etag';
import { parseGroupFilter } from './scim-filter';
import { page, pagingFrom, sendList } from './scim-list';
import { applyPatch, parsePatchRequest } from './scim-patch';
import { GROUP_SCHEMA, groupModel } from './scim-schema-defs';
import type { GroupDoc, GroupRecord, UserDirectory } from './user-directory';

/**
 * Groups exist only in Genesys Cloud (no SCIM create or delete); IdPs replace or patch membership of
 * pre-created groups. The v2 SDK makes `filter` a required list parameter, so the simulator does too.
 */
const ALWAYS = ['schemas', 'id', 'displayName', 'meta'];

function render(ctx: Ctx, g: GroupRecord): Record<string, unknown> {
  const dir = ctx.state.directory;
  return {
    ...g.doc,
    id: g.id,
    members: g.doc.members.map((m) => ({
      value: m.value,
      display: dir.users.get(m.value)?.doc.displayName,
      $ref: `${ctx.urls.api}/api/v2/scim/v2/users/${m.value}`,
    })),
    meta: {
      resourceType: 'Group',
      created: g.created,
      lastModified: g.lastModified,
      location: `${ctx.urls.api}/api/v2/scim/v2/groups/${g.id}`,
      version: formatEtag(g.version),
    },
  };
}

function normalizeGroup(raw: unknown, dir: UserDirectory, canonical: boolean): GroupDoc {
  if (!isRecord(raw))
    throw new ApiError(400, 'The group must be a JSON object.', { scimType: 'invalidSyntax' });
  const d = canonical ? raw : canonicalizeDoc(raw, groupModel);
  if (!Array.isArray(d.schemas) || !d.schemas.includes(GROUP_SCHEMA)) {
    throw new ApiError(400, `schemas must include ${GROUP_SCHEMA}.`, { scimType: 'invalidSyntax' });
  }
  if (typeof d.displayName !== 'string' || d.displayName.trim() === '') {
    throw new ApiError(400, 'displayName is required.', { scimType: 'invalidValue' });
  }
  const doc: GroupDoc = { schemas: [GROUP_SCHEMA], displayName: d.displayName, members: [] };
  if (d.externalId !== undefined) {
    if (typeof d.externalId !== 'string')
      throw new ApiError(400, 'externalId must be a string.', { scimType: 'invalidValue' });
    doc.externalId = d.externalId;
  }
  const members = d.members ?? [];
  if (!Array.isArray(members))
    throw new ApiError(400, 'members must be an array.', { scimType: 'invalidValue' });
  const seen = new Set<string>();
  for (const m of members) {
    const id = isRecord(m) ? m.value : undefined;
    if (typeof id !== 'string' || !dir.users.has(id)) {
      throw new ApiError(400, `member ${String(id)} is not a user of this organization.`, {
        scimType: 'invalidValue',
      });
    }
    if (!seen.has(id)) doc.members.push({ value: id });
    seen.add(id);
  }
  return doc;
}

function findGroup(ctx: Ctx): GroupRecord {
  const g = ctx.state.directory.groups.get(ctx.params.id);
  if (!g) throw new ApiError(404, `Group ${ctx.params.id} not found.`);
  return g;
}

export function listGroups(ctx: Ctx): void {
  const filterParam = ctx.query.get('filter');
  if (filterParam === null || filterParam.trim() === '') {
    throw new ApiError(400, 'filter is required, e.g. displayName eq "Sales".', {
      scimType: 'invalidFilter',
    });
  }
  const projection = projectionFrom(ctx.query, groupModel, ALWAYS);
  const paging = pagingFrom(ctx, projection);
  const f = parseGroupFilter(filterParam);
  const dir = ctx.state.directory;
  let found: GroupRecord[];
  if (f.attr === 'id') {
    const g = dir.groups.get(String(f.value));
    found = g ? [g] : [];
  } else {
    found = dir.groupByDisplayName(String(f.value));
  }
  sendList(
    ctx,
    found.length,
    paging,
    page(found, paging).map((g) => project(render(ctx, g), projection)),
  );
}

export function getGroup(ctx: Ctx): void {
  const g = findGroup(ctx);
  const inm = ctx.req.headers['if-none-match'];
  if (inm && etagMatches(inm, g.version)) {
    ctx.res.setHeader('ETag', formatEtag(g.version));
    ctx.res.statusCode = 304;
    ctx.res.end();
    return;
  }
  const projection = projectionFrom(ctx.query, groupModel, ALWAYS);
  send(ctx, 200, project(render(ctx, g), projection), { ETag: formatEtag(g.version) });
}

export function replaceGroup(ctx: Ctx): void {
  const g = findGroup(ctx);
  checkIfMatch(ctx.req.headers['if-match'], g.version);
  ctx.state.directory.updateGroup(g, normalizeGroup(jsonBody(ctx), ctx.state.directory, false));
  send(ctx, 200, render(ctx, g), { ETag: formatEtag(g.version) });
}

export function patchGroup(ctx: Ctx): void {
  const g = findGroup(ctx);
  checkIfMatch(ctx.req.headers['if-match'], g.version);
  const patched = applyPatch(g.doc, parsePatchRequest(jsonBody(ctx)), groupModel);
  ctx.state.directory.updateGroup(g, normalizeGroup(patched, ctx.state.directory, true));
  send(ctx, 200, render(ctx, g), { ETag: formatEtag(g.version) });
}
