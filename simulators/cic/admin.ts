import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { generateDirectory } from './directory';
import { HttpError, matchRoute, readJson, route, sendHttpError, sendJson, type Route } from './http';
import { InteractionError, type InteractionStore } from './interactions';
import { SwitchoverRefused, type IcwsServer } from './server';
import { DirectoryError, type DirectoryStore } from './store';
import { icwsDate, personalInformationKeys, userUri } from './user-record';

export interface AdminTarget {
  directory: DirectoryStore;
  interactions: InteractionStore;
  servers: { a: IcwsServer; b: IcwsServer };
  switchover(): Promise<void>;
  setServerUp(which: string, up: boolean): Promise<void>;
}

const json = 'application/json; charset=utf-8';
const nullableText = z.string().nullable().optional();
const pipPatch = z.strictObject(Object.fromEntries(personalInformationKeys.map((k) => [k, nullableText])));
const userPatch = z.strictObject({
  personalInformationProperties: pipPatch.optional(),
  extension: nullableText,
  statusText: nullableText,
});
const newUser = z.strictObject({
  id: z.string().min(1),
  personalInformationProperties: pipPatch.optional(),
  extension: z.string().optional(),
  statusText: z.string().optional(),
  password: z.string().optional(),
});
const share = z.number().min(0).max(1).optional();
const directoryRequest = z.strictObject({
  count: z.number().int().min(1).max(1_000_000),
  seed: z.number().int(),
  noEmailShare: share,
  duplicateEmailShare: share,
  oddPhoneShare: share,
  unicodeShare: share,
  noDisplayNameShare: share,
});
const statusUpdate = z.strictObject({
  statusId: z.string().min(1).optional(),
  loggedIn: z.boolean().optional(),
  onPhone: z.boolean().optional(),
  stations: z.array(z.string()).optional(),
});
const statusMessagePatch = z.strictObject({
  messageText: z.string().min(1).optional(),
  groupTag: z.string().optional(),
  isDoNotDisturbStatus: z.boolean().optional(),
  isSelectableStatus: z.boolean().optional(),
  isPersistentStatus: z.boolean().optional(),
  isForwardStatus: z.boolean().optional(),
  isAfterCallWorkStatus: z.boolean().optional(),
  isAcdStatus: z.boolean().optional(),
  isAllowFollowUpStatus: z.boolean().optional(),
});
const startInteraction = z.strictObject({
  type: z.enum(['call', 'chat', 'email']),
  direction: z.enum(['inbound', 'outbound']).optional(),
  userId: z.string().min(1).optional(),
  workgroup: z.string().min(1).optional(),
  remoteName: z.string().optional(),
  remoteAddress: z.string().optional(),
  autoRunStepMs: z.number().int().min(1).optional(),
});
const advance = z.strictObject({
  to: z.enum(['offering', 'alerting', 'connected', 'held', 'disconnected', 'removed']).optional(),
  disconnectedBy: z.enum(['remote', 'agent']).optional(),
});

function fail(status: number, message: string): HttpError {
  return new HttpError(status, { error: message });
}

/** Turns domain errors into the status an operator expects: 404 unknown, 409 conflict, 400 invalid. */
function translate(err: unknown): unknown {
  if (err instanceof DirectoryError || err instanceof InteractionError) {
    return fail(err.code === 'notFound' ? 404 : err.code === 'exists' ? 409 : 400, err.message);
  }
  if (err instanceof SwitchoverRefused) return fail(409, err.message);
  if (err instanceof RangeError) return fail(404, err.message);
  return err;
}

function adminRoutes(target: AdminTarget): Route[] {
  const { directory, interactions, servers } = target;
  const serverView = (s: IcwsServer) => ({
    name: s.name,
    role: s.role,
    up: s.up,
    url: s.url,
    sessions: s.sessions.size,
  });
  return [
    route('GET', '/__admin/state', ({ res }) =>
      sendJson(
        res,
        200,
        {
          servers: [serverView(servers.a), serverView(servers.b)],
          users: directory.size,
          removedUsers: directory.listRemoved().length,
          interactions: interactions.list().length,
        },
        {},
        json,
      ),
    ),
    route('GET', '/__admin/users/{id}', ({ res, params }) => {
      const user = directory.get(params[0]);
      if (!user) throw fail(404, `User ${params[0]} does not exist`);
      sendJson(res, 200, { user, status: directory.getStatus(params[0]) }, {}, json);
    }),
    route('POST', '/__admin/users', async ({ req, res }) => {
      const body = await readJson(req, newUser);
      const now = icwsDate(new Date());
      const user = directory.add({
        configurationId: { id: body.id, displayName: body.id, uri: userUri(body.id) },
        personalInformationProperties: clean(body.personalInformationProperties),
        extension: body.extension,
        statusText: body.statusText,
        lastModifiedDate: now,
        createdDate: now,
      });
      if (body.password !== undefined) directory.setPassword(body.id, body.password);
      sendJson(res, 201, user, {}, json);
    }),
    route('PATCH', '/__admin/users/{id}', async ({ req, res, params }) => {
      sendJson(res, 200, directory.change(params[0], await readJson(req, userPatch)), {}, json);
    }),
    route('DELETE', '/__admin/users/{id}', ({ res, params }) =>
      sendJson(res, 200, directory.remove(params[0]), {}, json),
    ),
    route('POST', '/__admin/users/{id}/restore', ({ res, params }) =>
      sendJson(res, 200, directory.restore(params[0]), {}, json),
    ),
    route('PUT', '/__admin/users/{id}/password', async ({ req, res, params }) => {
      const body = await readJson(req, z.strictObject({ password: z.string() }));
      directory.setPassword(params[0], body.password);
      sendJson(res, 204, undefined);
    }),
    route('PUT', '/__admin/status-messages/{id}', async ({ req, res, params }) => {
      const body = await readJson(req, statusMessagePatch);
      sendJson(res, 200, directory.putStatusMessage({ ...body, statusId: params[0] }), {}, json);
    }),
    route('DELETE', '/__admin/status-messages/{id}', ({ res, params }) => {
      directory.removeStatusMessage(params[0]);
      sendJson(res, 204, undefined);
    }),
    route('PUT', '/__admin/users/{id}/status', async ({ req, res, params }) => {
      sendJson(res, 200, directory.setStatus(params[0], await readJson(req, statusUpdate)), {}, json);
    }),
    route('POST', '/__admin/directory', async ({ req, res }) => {
      sendJson(
        res,
        200,
        directory.replace(generateDirectory(await readJson(req, directoryRequest))),
        {},
        json,
      );
    }),
    route('GET', '/__admin/interactions', ({ res }) => sendJson(res, 200, interactions.list(), {}, json)),
    route('POST', '/__admin/interactions', async ({ req, res }) => {
      const { autoRunStepMs, ...opts } = await readJson(req, startInteraction);
      const started = interactions.start(opts);
      if (autoRunStepMs !== undefined) interactions.run(started.id, autoRunStepMs);
      sendJson(res, 201, { interactionId: started.id, ...started }, {}, json);
    }),
    route('POST', '/__admin/interactions/{id}/advance', async ({ req, res, params }) => {
      const stage = interactions.advance(params[0], await readJson(req, advance.optional()));
      sendJson(res, 200, { interactionId: params[0], stage, ...interactions.get(params[0]) }, {}, json);
    }),
    route('POST', '/__admin/interactions/{id}/run', async ({ req, res, params }) => {
      const body = await readJson(req, z.strictObject({ stepMs: z.number().int().min(1) }));
      interactions.run(params[0], body.stepMs);
      sendJson(res, 202, { interactionId: params[0] }, {}, json);
    }),
    route('POST', '/__admin/switchover', async ({ res }) => {
      await target.switchover();
      sendJson(res, 200, { servers: [serverView(servers.a), serverView(servers.b)] }, {}, json);
    }),
    route('POST', '/__admin/servers/{which}/{action}', async ({ res, params }) => {
      if (params[1] !== 'up' && params[1] !== 'down') throw fail(404, `Unknown action ${params[1]}`);
      await target.setServerUp(params[0], params[1] === 'up');
      sendJson(res, 200, { servers: [serverView(servers.a), serverView(servers.b)] }, {}, json);
    }),
    route('GET', '/__admin/sessions', ({ res }) => {
      const sessions = [servers.a, servers.b].flatMap((s) =>
        [...s.sessions.values()].map((session) => ({
          server: s.name,
          sessionId: session.id,
          userId: session.info.userId,
          applicationName: session.info.applicationName,
          createdAt: session.createdAt.toISOString(),
          subscriptions: [...session.subscriptions.keys()],
          queuedMessages: session.queued,
          deliveredMessages: session.delivered,
          streaming: session.streaming,
        })),
      );
      sendJson(res, 200, sessions, {}, json);
    }),
    route('DELETE', '/__admin/sessions/{id}', ({ res, params }) => {
      const session = servers.a.sessions.get(params[0]) ?? servers.b.sessions.get(params[0]);
      if (!session) throw fail(404, `Session ${params[0]} does not exist`);
      session.end('An administrator ended the session.');
      sendJson(res, 204, undefined);
    }),
    route('GET', '/__admin/requests', ({ res }) => {
      const byServer = Object.fromEntries(
        [servers.a, servers.b].map((s) => [s.name, Object.fromEntries(s.requestCounts)]),
      );
      const total: Record<string, number> = {};
      for (const counts of [servers.a.requestCounts, servers.b.requestCounts]) {
        for (const [key, n] of counts) total[key] = (total[key] ?? 0) + n;
      }
      sendJson(res, 200, { total, byServer }, {}, json);
    }),
    route('DELETE', '/__admin/requests', ({ res }) => {
      servers.a.requestCounts.clear();
      servers.b.requestCounts.clear();
      sendJson(res, 204, undefined);
    }),
  ];
}

function clean(
  pip: Record<string, string | null | undefined> | undefined,
): Record<string, string> | undefined {
  if (!pip) return undefined;
  return Object.fromEntries(
    Object.entries(pip).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** The operator's side door: a JSON API on its own port, never part of ICWS. */
export async function startAdminServer(
  target: AdminTarget,
  host: string,
  port: number,
  log: Logger,
): Promise<Server> {
  const routes = adminRoutes(target);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const found = matchRoute(routes, req.method ?? 'GET', url.pathname);
      if (found === 'methodNotAllowed') throw fail(405, 'Method not allowed');
      if (!found) throw fail(404, `No admin route ${url.pathname}`);
      try {
        await found.route.handler({ req, res, url, params: found.params });
      } catch (err) {
        throw translate(err);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        const body =
          'error' in err.body ? err.body : { error: String(err.body.message ?? err.message), ...err.body };
        sendHttpError(res, new HttpError(err.status, body, err.headers), json);
      } else {
        log.error({ err, path: url.pathname }, 'CIC simulator admin call failed');
        sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) }, {}, json);
      }
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info({ port: (server.address() as AddressInfo).port }, 'CIC simulator admin API listening');
  return server;
}
