import { ApiError, jsonBody, sendNoContent, sendRaw, type Ctx } from './http';
import { isTrimmed, project, projectionFrom, type Projection } from './scim-attributes';
import { checkIfMatch, etagMatches, formatEtag } from './scim-etag';
import { parseUserFilter, type EqFilter, type UserFilterAttr } from './scim-filter';
import { page, pagingFrom } from './scim-list';
import { LIST_RESPONSE_SCHEMA } from './scim-schema-defs';
import { applyPatch, parsePatchRequest, type PatchTarget } from './scim-patch';
import { userModel } from './scim-schema-defs';
import { normalizeUser, renderUser, userLocation } from './scim-user';
import type { UserDirectory, UserRecord } from './user-directory';

const ALWAYS = ['schemas', 'id', 'userName', 'active', 'meta'];

function* pick(
  dir: UserDirectory,
  ids: Iterable<string> | undefined,
  activeOnly: boolean,
): Generator<UserRecord> {
  for (const id of ids ?? []) {
    const u = dir.users.get(id);
    if (u && (!activeOnly || u.doc.active)) yield u;
  }
}

const byState = (dir: UserDirectory, active: boolean) => dir.usersByState(active);

/**
 * Identity filters (id, userName, externalId, email) find inactive users too, because provisioning clients
 * look a user up by userName to reactivate it; attribute filters (manager, division, employeeNumber) and
 * the unfiltered list return active users only; `active eq false` lists the inactive ones.
 */
function select(
  dir: UserDirectory,
  f: EqFilter<UserFilterAttr> | undefined,
): { items: Iterable<UserRecord>; total: number } {
  if (!f) return { items: byState(dir, true), total: dir.activeCount };
  const v = f.value;
  const one = (id: string | undefined) => {
    const u = id === undefined ? undefined : dir.users.get(id);
    return { items: u ? [u] : [], total: u ? 1 : 0 };
  };
  const many = (set: Set<string> | undefined, activeOnly: boolean) => {
    const items = [...pick(dir, set, activeOnly)];
    return { items, total: items.length };
  };
  switch (f.attr) {
    case 'id':
      return one(String(v));
    case 'userName':
      return one(dir.byUserName.get(String(v).toLowerCase()));
    case 'externalId':
      return one(dir.byExternalId.get(String(v)));
    case 'email':
      return many(dir.byEmail.get(String(v).toLowerCase()), false);
    case 'active':
      return {
        items: byState(dir, v === true),
        total: v === true ? dir.activeCount : dir.users.size - dir.activeCount,
      };
    case 'manager':
      return many(dir.byManager.get(String(v)), true);
    case 'division':
      return many(dir.byDivision.get(String(v).toLowerCase()), true);
    case 'employeeNumber':
      return many(dir.byEmployeeNumber.get(String(v).toLowerCase()), true);
  }
}

/** The full representation, serialised once per user version and group-membership epoch. */
function fullJson(ctx: Ctx, rec: UserRecord): string {
  const dir = ctx.state.directory;
  const key = `${rec.version}:${dir.groupsEpoch}`;
  if (rec.renderCache?.key !== key) {
    rec.renderCache = { key, json: JSON.stringify(renderUser(rec, dir, ctx.urls.api)) };
  }
  return rec.renderCache.json;
}

function output(ctx: Ctx, rec: UserRecord, projection?: Projection): string {
  if (!projection || !isTrimmed(projection)) return fullJson(ctx, rec);
  return JSON.stringify(project(renderUser(rec, ctx.state.directory, ctx.urls.api), projection));
}

function findUser(ctx: Ctx): UserRecord {
  const rec = ctx.state.directory.users.get(ctx.params.id);
  if (!rec) throw new ApiError(404, `User ${ctx.params.id} not found.`);
  return rec;
}

export function listUsers(ctx: Ctx): void {
  const projection = projectionFrom(ctx.query, userModel, ALWAYS);
  const paging = pagingFrom(ctx, projection);
  const filter = ctx.query.get('filter');
  const { items, total } = select(ctx.state.directory, filter === null ? undefined : parseUserFilter(filter));
  const resources = page(items, paging).map((u) => output(ctx, u, projection));
  sendRaw(
    ctx,
    200,
    `{"schemas":["${LIST_RESPONSE_SCHEMA}"],"totalResults":${total},"startIndex":${paging.startIndex},` +
      `"itemsPerPage":${resources.length},"Resources":[${resources.join(',')}]}`,
  );
}

export function getUser(ctx: Ctx): void {
  const rec = findUser(ctx);
  const etag = formatEtag(rec.version);
  const inm = ctx.req.headers['if-none-match'];
  if (inm && etagMatches(inm, rec.version)) {
    ctx.res.setHeader('ETag', etag);
    ctx.res.statusCode = 304;
    ctx.res.end();
    return;
  }
  sendRaw(ctx, 200, output(ctx, rec, projectionFrom(ctx.query, userModel, ALWAYS)), { ETag: etag });
}

export function createUser(ctx: Ctx): void {
  const dir = ctx.state.directory;
  const { doc, password } = normalizeUser(jsonBody(ctx), 'create', dir);
  const rec = dir.createUser(doc, password !== undefined);
  sendRaw(ctx, 201, output(ctx, rec), {
    ETag: formatEtag(rec.version),
    Location: userLocation(ctx.urls.api, rec.id),
  });
}

export function replaceUser(ctx: Ctx): void {
  const rec = findUser(ctx);
  checkIfMatch(ctx.req.headers['if-match'], rec.version);
  const dir = ctx.state.directory;
  const { doc, password } = normalizeUser(jsonBody(ctx), 'replace', dir, rec);
  dir.updateUser(rec, doc, password !== undefined);
  sendRaw(ctx, 200, output(ctx, rec), { ETag: formatEtag(rec.version) });
}

function userGuard(t: PatchTarget): void {
  if (t.attr?.name === 'groups') {
    throw new ApiError(400, 'groups is read-only on the user; change membership through /groups.', {
      scimType: 'mutability',
    });
  }
  if (t.attr?.name === 'emails' && t.filter && String(t.filter.value).toLowerCase() === 'other') {
    throw new ApiError(400, 'emails[type eq "other"] mirrors userName and cannot be patched.', {
      scimType: 'mutability',
    });
  }
}

export function patchUser(ctx: Ctx): void {
  const rec = findUser(ctx);
  checkIfMatch(ctx.req.headers['if-match'], rec.version);
  const ops = parsePatchRequest(jsonBody(ctx));
  const patched = applyPatch(rec.doc, ops, userModel, userGuard);
  const dir = ctx.state.directory;
  const { doc, password } = normalizeUser(patched, 'patch', dir, rec);
  dir.updateUser(rec, doc, password !== undefined);
  sendRaw(ctx, 200, output(ctx, rec), { ETag: formatEtag(rec.version) });
}

export function deleteUser(ctx: Ctx): void {
  const rec = findUser(ctx);
  checkIfMatch(ctx.req.headers['if-match'], rec.version);
  ctx.state.directory.deleteUser(rec);
  ctx.state.presence.delete(rec.id);
  sendNoContent(ctx);
}
