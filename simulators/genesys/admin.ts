import { z } from 'zod';
import { faultSpecSchema } from './faults';
import { ApiError, isRecord, jsonBody, send, type Ctx } from './http';
import { registerIdentityProvider, renderIdentityProvider } from './identity-providers';
import type { Router } from './router';
import { USER_SCHEMA } from './scim-schema-defs';
import { normalizeUser, renderUser } from './scim-user';
import type { SimState, UserPresenceState } from './store';

/**
 * The inspection and control API (`/__admin/...`) used by tests, the demo and benchmarks. No auth, no rate
 * limit, no faults; it never exists on a real organization.
 */

const settingsSchema = z
  .object({
    rateLimitPerMinute: z.number().int().min(0),
    rateLimitKey: z.enum(['token', 'client']),
    tokenLifetimeSeconds: z.number().int().min(1),
    maxBodyBytes: z.number().int().min(1),
    defaultPageSize: z.number().int().min(1),
    maxPageSize: z.number().int().min(1),
    presenceBulkMax: z.number().int().min(1),
    conduitMaxEventAgeSeconds: z.number().int().min(1),
    conduitMaxEventsPerBatch: z.number().int().min(1),
    samlClockSkewSeconds: z.number().int().min(0),
  })
  .partial()
  .strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new ApiError(
      400,
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return r.data;
}

const optionalJson = (ctx: Ctx): unknown => (ctx.body && ctx.body.length ? jsonBody(ctx) : {});

export function applySettings(state: SimState, patch: z.infer<typeof settingsSchema>): void {
  const { rateLimitPerMinute, ...rest } = patch;
  Object.assign(state.settings, rest);
  if (rateLimitPerMinute !== undefined) state.setRateLimit(rateLimitPerMinute);
}

function presenceView(userId: string, p: UserPresenceState) {
  return {
    userId,
    primarySourceId: p.primarySourceId,
    updates: p.updates,
    sources: Object.fromEntries(p.bySource),
  };
}

/** Seeds one cloud user from a SCIM-like document (schemas optional; `id` may be forced). */
export function seedUser(state: SimState, raw: unknown, apiBase: string) {
  if (!isRecord(raw)) throw new ApiError(400, 'Each user must be an object.');
  const doc = { schemas: [USER_SCHEMA], ...raw };
  const { doc: normalized, password } = normalizeUser(doc, 'create', state.directory);
  const rec = state.directory.createUser(
    normalized,
    password !== undefined,
    typeof raw.id === 'string' ? raw.id : undefined,
  );
  return renderUser(rec, state.directory, apiBase);
}

export function addAdminRoutes(r: Router): void {
  const route = (method: string, template: string, handler: (ctx: Ctx) => void) =>
    r.add({ method, template, style: 'admin', auth: false, handler });

  route('GET', '/__admin/health', (ctx) => send(ctx, 200, { ok: true, urls: ctx.urls }));
  route('GET', '/__admin/summary', (ctx) => {
    const s = ctx.state;
    send(ctx, 200, {
      org: s.org,
      users: s.directory.users.size,
      activeUsers: s.directory.activeCount,
      groups: s.directory.groups.size,
      presenceUpdates: [...s.presence.values()].reduce((n, p) => n + p.updates, 0),
      conduitEvents: s.conduitEvents.size,
      conduitDuplicatesReceived: s.conduitDuplicatesReceived,
      logins: s.logins.length,
      requests: s.requestLog.total,
      settings: s.settings,
    });
  });
  route('POST', '/__admin/reset', (ctx) => {
    ctx.state.reset();
    send(ctx, 200, { reset: true });
  });
  route('GET', '/__admin/settings', (ctx) => send(ctx, 200, ctx.state.settings));
  route('PUT', '/__admin/settings', (ctx) => {
    applySettings(ctx.state, parse(settingsSchema, jsonBody(ctx)));
    send(ctx, 200, ctx.state.settings);
  });
  route('PUT', '/__admin/rate-limit', (ctx) => {
    const { perMinute } = parse(z.object({ perMinute: z.number().int().min(0) }).strict(), jsonBody(ctx));
    ctx.state.setRateLimit(perMinute);
    send(ctx, 200, { perMinute });
  });

  route('GET', '/__admin/users', (ctx) => {
    const active = ctx.query.get('active');
    const users = [...ctx.state.directory.users.values()]
      .filter((u) => active === null || String(u.doc.active) === active)
      .map((u) => ({ ...renderUser(u, ctx.state.directory, ctx.urls.api), passwordSet: u.passwordSet }));
    send(ctx, 200, { total: users.length, users });
  });
  route('POST', '/__admin/users', (ctx) => {
    const body = jsonBody(ctx);
    const items = Array.isArray(body) ? body : [body];
    send(ctx, 201, { users: items.map((u) => seedUser(ctx.state, u, ctx.urls.api)) });
  });
  route('GET', '/__admin/users/{id}', (ctx) => {
    const u = ctx.state.directory.users.get(ctx.params.id);
    if (!u) throw new ApiError(404, 'No such user.');
    const p = ctx.state.presence.get(u.id);
    send(ctx, 200, {
      ...renderUser(u, ctx.state.directory, ctx.urls.api),
      passwordSet: u.passwordSet,
      presence: p ? presenceView(u.id, p) : null,
    });
  });
  route('DELETE', '/__admin/users/{id}', (ctx) => {
    const u = ctx.state.directory.users.get(ctx.params.id);
    if (!u) throw new ApiError(404, 'No such user.');
    ctx.state.directory.deleteUser(u);
    ctx.state.presence.delete(u.id);
    send(ctx, 200, { deleted: u.id });
  });
  route('GET', '/__admin/groups', (ctx) =>
    send(ctx, 200, {
      groups: [...ctx.state.directory.groups.values()].map((g) => ({
        id: g.id,
        ...g.doc,
        version: g.version,
      })),
    }),
  );

  route('GET', '/__admin/presences', (ctx) =>
    send(ctx, 200, { presences: [...ctx.state.presence].map(([id, p]) => presenceView(id, p)) }),
  );
  route('GET', '/__admin/presences/{userId}', (ctx) => {
    const p = ctx.state.presence.get(ctx.params.userId);
    if (!p) throw new ApiError(404, 'No presence recorded for that user.');
    send(ctx, 200, presenceView(ctx.params.userId, p));
  });
  route('GET', '/__admin/presence-sources', (ctx) =>
    send(ctx, 200, { sources: [...ctx.state.presenceSources.values()] }),
  );

  route('GET', '/__admin/conduit/events', (ctx) => {
    const interactionId = ctx.query.get('interactionId');
    const events = [...ctx.state.conduitEvents.values()].filter(
      (e) => !interactionId || e.interactionId === interactionId,
    );
    send(ctx, 200, {
      total: events.length,
      duplicatesReceived: ctx.state.conduitDuplicatesReceived,
      events,
      batches: ctx.state.conduitBatches,
    });
  });
  route('GET', '/__admin/logins', (ctx) => send(ctx, 200, { logins: ctx.state.logins }));

  route('GET', '/__admin/requests', (ctx) => {
    const limit = Number(ctx.query.get('limit') ?? 1000);
    const template = ctx.query.get('template');
    const method = ctx.query.get('method');
    const entries = ctx.state.requestLog
      .entries()
      .filter((e) => (!template || e.template === template) && (!method || e.method === method));
    send(ctx, 200, {
      total: ctx.state.requestLog.total,
      entries: entries.slice(Math.max(0, entries.length - limit)),
    });
  });
  route('GET', '/__admin/requests/counts', (ctx) =>
    send(ctx, 200, { total: ctx.state.requestLog.total, counts: ctx.state.requestLog.countsList() }),
  );
  route('DELETE', '/__admin/requests', (ctx) => {
    ctx.state.requestLog.clear();
    send(ctx, 200, { cleared: true });
  });

  route('GET', '/__admin/faults', (ctx) => send(ctx, 200, { faults: ctx.state.faults.list() }));
  route('POST', '/__admin/faults', (ctx) => {
    const spec = parse(faultSpecSchema, jsonBody(ctx));
    if (spec.pathPattern) {
      try {
        new RegExp(spec.pathPattern);
      } catch {
        throw new ApiError(400, 'pathPattern is not a valid regular expression.');
      }
    }
    const { regex: _regex, ...fault } = ctx.state.faults.add(spec);
    send(ctx, 201, fault);
  });
  route('DELETE', '/__admin/faults', (ctx) => {
    ctx.state.faults.clear();
    send(ctx, 200, { cleared: true });
  });
  route('DELETE', '/__admin/faults/{id}', (ctx) => {
    if (!ctx.state.faults.remove(ctx.params.id)) throw new ApiError(404, 'No such fault.');
    send(ctx, 200, { removed: ctx.params.id });
  });

  route('GET', '/__admin/identityproviders', (ctx) =>
    send(ctx, 200, { providers: [...ctx.state.identityProviders.values()].map(renderIdentityProvider) }),
  );
  route('PUT', '/__admin/identityproviders/{type}', (ctx) => {
    const type = ctx.params.type;
    if (type !== 'generic' && type !== 'cic') throw new ApiError(404, 'Provider type is generic or cic.');
    send(ctx, 200, renderIdentityProvider(registerIdentityProvider(ctx.state, type, jsonBody(ctx))));
  });

  route('GET', '/__admin/clients', (ctx) =>
    send(ctx, 200, { clients: [...ctx.state.clients.values()].map(({ secret: _s, ...c }) => c) }),
  );
  route('POST', '/__admin/clients', (ctx) => {
    const input = parse(
      z
        .object({
          id: z.string().min(1).optional(),
          secret: z.string().min(1).optional(),
          name: z.string().optional(),
          grantTypes: z
            .array(z.enum(['client_credentials', 'saml2-bearer']))
            .min(1)
            .optional(),
        })
        .strict(),
      optionalJson(ctx),
    );
    if (input.id && ctx.state.clients.has(input.id)) throw new ApiError(409, `Client ${input.id} exists.`);
    send(ctx, 201, ctx.state.addClient(input));
  });
  route('DELETE', '/__admin/clients/{id}', (ctx) => {
    const result = ctx.state.removeClient(ctx.params.id);
    if (!result.removed) throw new ApiError(404, `No client ${ctx.params.id}.`);
    send(ctx, 200, result);
  });
  route('POST', '/__admin/tokens/expire', (ctx) => {
    const { token } = parse(z.object({ token: z.string().optional() }).strict(), optionalJson(ctx));
    send(ctx, 200, { expired: ctx.state.expireTokens(token) });
  });
}
