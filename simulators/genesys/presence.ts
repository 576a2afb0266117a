import { randomUUID } from 'node:crypto';
import { ApiError, isRecord, jsonBody, send, type Ctx } from './http';
import { definitionsById, OFFLINE_DEFINITION_ID, SYSTEM_PRESENCE_DEFINITIONS } from './presence-definitions';
import { PURECLOUD_SOURCE_ID, type PresenceSource, type SimState, type UserPresenceState } from './store';

/**
 * Presence per user per source, the user's primary source, and an update counter. Errors use the Genesys
 * Platform API shape: unknown user or source → 404, bad body or unknown definition → 400.
 */

function definitionEntity(ctx: Ctx, d: (typeof SYSTEM_PRESENCE_DEFINITIONS)[number]) {
  return {
    id: d.id,
    type: 'System',
    languageLabels: { en_US: d.systemPresence },
    systemPresence: d.systemPresence,
    divisionId: '*',
    deactivated: false,
    selfUri: `/api/v2/presence/definitions/${d.id}`,
  };
}

function listing<T>(entities: T[]) {
  return { entities, pageSize: entities.length, pageNumber: 1, total: entities.length, pageCount: 1 };
}

export function listDefinitions(ctx: Ctx): void {
  const deactivated = ctx.query.get('deactivated');
  const defs = deactivated === 'true' ? [] : SYSTEM_PRESENCE_DEFINITIONS;
  send(ctx, 200, listing(defs.map((d) => definitionEntity(ctx, d))));
}

export function getDefinition(ctx: Ctx): void {
  const d = definitionsById.get(ctx.params.definitionId);
  if (!d) throw new ApiError(404, `Presence definition ${ctx.params.definitionId} not found.`);
  send(ctx, 200, definitionEntity(ctx, d));
}

export function listSystemPresences(ctx: Ctx): void {
  send(
    ctx,
    200,
    SYSTEM_PRESENCE_DEFINITIONS.map((d) => ({
      id: d.systemId,
      name: d.systemPresence,
      selfUri: `/api/v2/systempresences/${d.systemId}`,
    })),
  );
}

const renderSource = (s: PresenceSource) => ({ ...s, selfUri: `/api/v2/presence/sources/${s.id}` });

export function listSources(ctx: Ctx): void {
  send(ctx, 200, listing([...ctx.state.presenceSources.values()].map(renderSource)));
}

export function createSource(ctx: Ctx): void {
  const body = jsonBody(ctx);
  if (!isRecord(body) || typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 255) {
    throw new ApiError(400, 'name is required (1-255 characters).');
  }
  if (body.description !== undefined && typeof body.description !== 'string') {
    throw new ApiError(400, 'description must be a string.');
  }
  const lower = body.name.toLowerCase();
  for (const s of ctx.state.presenceSources.values()) {
    if (!s.deactivated && s.name.toLowerCase() === lower) {
      throw new ApiError(409, `A presence source named ${body.name} already exists.`, { code: 'conflict' });
    }
  }
  const source: PresenceSource = {
    id: randomUUID(),
    name: body.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    deactivated: false,
  };
  ctx.state.presenceSources.set(source.id, source);
  send(ctx, 200, renderSource(source));
}

export function getSource(ctx: Ctx): void {
  const s = ctx.state.presenceSources.get(ctx.params.sourceId);
  if (!s) throw new ApiError(404, `Presence source ${ctx.params.sourceId} not found.`);
  send(ctx, 200, renderSource(s));
}

/** `purecloud` (any case) is the built-in Genesys client source; anything else must be registered. */
function resolveSource(state: SimState, sourceId: string): { id: string; name: string } {
  if (sourceId.toLowerCase() === 'purecloud') return { id: PURECLOUD_SOURCE_ID, name: PURECLOUD_SOURCE_ID };
  const s = state.presenceSources.get(sourceId);
  if (!s) throw new ApiError(404, `Presence source ${sourceId} not found.`);
  if (s.deactivated) throw new ApiError(400, `Presence source ${sourceId} is deactivated.`);
  return s;
}

function presenceOf(state: SimState, userId: string): UserPresenceState {
  let p = state.presence.get(userId);
  if (!p)
    state.presence.set(
      userId,
      (p = { bySource: new Map(), primarySourceId: PURECLOUD_SOURCE_ID, updates: 0 }),
    );
  return p;
}

function requireUser(state: SimState, userId: string): void {
  if (!state.directory.users.has(userId)) throw new ApiError(404, `User ${userId} not found.`);
}

function render(state: SimState, userId: string, source: { id: string; name: string }) {
  const p = state.presence.get(userId);
  const entry = p?.bySource.get(source.id);
  const def = definitionsById.get(entry?.definitionId ?? OFFLINE_DEFINITION_ID)!;
  return {
    id: userId,
    userId,
    source: source.name,
    sourceId: source.id,
    primary: (p?.primarySourceId ?? PURECLOUD_SOURCE_ID) === source.id,
    presenceDefinition: {
      id: def.id,
      systemPresence: def.systemPresence,
      selfUri: `/api/v2/presence/definitions/${def.id}`,
    },
    message: entry?.message ?? '',
    modifiedDate: entry?.modifiedDate ?? state.directory.users.get(userId)?.created,
    selfUri: `/api/v2/users/${userId}/presences/${source.id}`,
  };
}

interface PresenceChange {
  primary?: boolean;
  definitionId?: string;
  message?: string;
}

function parseChange(body: unknown, where = ''): PresenceChange {
  if (!isRecord(body)) throw new ApiError(400, `${where}The presence must be a JSON object.`);
  const change: PresenceChange = {};
  if (body.primary !== undefined) {
    if (typeof body.primary !== 'boolean') throw new ApiError(400, `${where}primary must be a boolean.`);
    change.primary = body.primary;
  }
  if (body.presenceDefinition !== undefined) {
    const id = isRecord(body.presenceDefinition) ? body.presenceDefinition.id : undefined;
    if (typeof id !== 'string') throw new ApiError(400, `${where}presenceDefinition.id is required.`);
    if (!definitionsById.has(id))
      throw new ApiError(400, `${where}Presence definition ${id} does not exist.`);
    change.definitionId = id;
  }
  if (body.message !== undefined) {
    if (typeof body.message !== 'string') throw new ApiError(400, `${where}message must be a string.`);
    change.message = body.message;
  }
  if (change.primary === undefined && change.definitionId === undefined && change.message === undefined) {
    throw new ApiError(400, `${where}Give at least one of primary, presenceDefinition or message.`);
  }
  return change;
}

function apply(state: SimState, userId: string, sourceId: string, change: PresenceChange): void {
  const p = presenceOf(state, userId);
  const prev = p.bySource.get(sourceId);
  p.bySource.set(sourceId, {
    definitionId: change.definitionId ?? prev?.definitionId ?? OFFLINE_DEFINITION_ID,
    message: change.message ?? prev?.message ?? '',
    modifiedDate: new Date().toISOString(),
  });
  if (change.primary === true) p.primarySourceId = sourceId;
  else if (change.primary === false && p.primarySourceId === sourceId)
    p.primarySourceId = PURECLOUD_SOURCE_ID;
  p.updates++;
}

export function getUserPresence(ctx: Ctx): void {
  requireUser(ctx.state, ctx.params.userId);
  send(ctx, 200, render(ctx.state, ctx.params.userId, resolveSource(ctx.state, ctx.params.sourceId)));
}

export function patchUserPresence(ctx: Ctx): void {
  requireUser(ctx.state, ctx.params.userId);
  const source = resolveSource(ctx.state, ctx.params.sourceId);
  apply(ctx.state, ctx.params.userId, source.id, parseChange(jsonBody(ctx)));
  send(ctx, 200, render(ctx.state, ctx.params.userId, source));
}

export function getBulkPresences(ctx: Ctx): void {
  const source = resolveSource(ctx.state, ctx.params.sourceId);
  const ids = ctx.query
    .getAll('id')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new ApiError(400, 'At least one id is required.');
  if (ids.length > 50) throw new ApiError(400, `At most 50 ids may be requested; got ${ids.length}.`);
  const known = [...new Set(ids)].filter((id) => ctx.state.directory.users.has(id));
  send(
    ctx,
    200,
    known.map((id) => render(ctx.state, id, source)),
  );
}

export function getPrimarySource(ctx: Ctx): void {
  requireUser(ctx.state, ctx.params.userId);
  const id = ctx.state.presence.get(ctx.params.userId)?.primarySourceId ?? PURECLOUD_SOURCE_ID;
  send(ctx, 200, { id: ctx.params.userId, source: { id } });
}

/**
 * Bulk write is all-or-nothing here: every item is validated first and any bad item fails the request
 * with a 400 listing each problem, so a client never has to guess which half was applied.
 */
export function putBulkPresences(ctx: Ctx): void {
  const body = jsonBody(ctx);
  const max = ctx.state.settings.presenceBulkMax;
  if (!Array.isArray(body) || body.length === 0)
    throw new ApiError(400, 'The body must be a non-empty array of presences.');
  if (body.length > max)
    throw new ApiError(400, `At most ${max} presences per bulk request; got ${body.length}.`);
  const problems: { index: number; message: string }[] = [];
  const planned: { userId: string; source: { id: string; name: string }; change: PresenceChange }[] = [];
  body.forEach((item, index) => {
    try {
      if (!isRecord(item) || typeof item.id !== 'string')
        throw new ApiError(400, 'id (the user id) is required.');
      if (typeof item.sourceId !== 'string') throw new ApiError(400, 'sourceId is required.');
      requireUser(ctx.state, item.id);
      planned.push({
        userId: item.id,
        source: resolveSource(ctx.state, item.sourceId),
        change: parseChange(item),
      });
    } catch (err) {
      problems.push({ index, message: (err as Error).message });
    }
  });
  if (problems.length) {
    throw new ApiError(
      400,
      `${problems.length} of ${body.length} presences are invalid; nothing was changed.`,
      {
        details: problems,
      },
    );
  }
  for (const p of planned) apply(ctx.state, p.userId, p.source.id, p.change);
  send(
    ctx,
    200,
    planned.map((p) => render(ctx.state, p.userId, p.source)),
  );
}
