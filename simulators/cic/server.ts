import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { configurationRoutes } from './configuration';
import { connectionRoutes, notAcceptingConnections, sessionConnectionRoutes } from './connection';
import type { CicEvent } from './events';
import {
  HttpError,
  matchRoute,
  parseCookies,
  sendHttpError,
  sendJson,
  type Route,
  type SessionRoute,
} from './http';
import type { InteractionStore } from './interactions';
import { messagingRoutes } from './messaging';
import { queueRoutes } from './queues';
import { IcwsSession, type NewSession, type SessionLimits } from './session';
import { statusRoutes } from './status';
import type { DirectoryStore } from './store';

export type ServerRole = 'primary' | 'backup';

export interface IcwsServerDeps {
  /** The name ICWS reports as `icServer`. */
  name: string;
  host: string;
  port: number;
  role: ServerRole;
  directory: DirectoryStore;
  interactions: InteractionStore;
  limits: SessionLimits;
  log: Logger;
}

const sessionPath = /^\/icws\/([^/]+)(\/.*)$/;

/**
 * One ICWS server of the switchover pair. Only the primary accepts connections; the backup answers 503 with
 * the primary in `alternateHostList`. It can be taken down (connections refused) and brought back on the same
 * port, and it ends its sessions whenever it stops being the primary.
 */
export class IcwsServer {
  role: ServerRole;
  port: number;
  peer?: IcwsServer;
  readonly sessions = new Map<string, IcwsSession>();
  /** One-time tokens from `POST /connection/unique-auth-token`: token → who, which seed, until when. */
  readonly authTokens = new Map<string, { userId: string; seed: string; expiresAt: number }>();
  readonly requestCounts = new Map<string, number>();
  private http?: Server;
  private readonly publicRoutes: Route[];
  private readonly sessionRoutes: SessionRoute[];
  private readonly unsubscribe: (() => void)[];

  constructor(readonly deps: IcwsServerDeps) {
    this.role = deps.role;
    this.port = deps.port;
    this.publicRoutes = connectionRoutes(this);
    this.sessionRoutes = [
      ...sessionConnectionRoutes(this),
      ...configurationRoutes(this),
      ...statusRoutes(this),
      ...messagingRoutes(this),
      ...queueRoutes(this),
    ];
    const dispatch = (event: CicEvent) => this.dispatch(event);
    this.unsubscribe = [deps.directory.on(dispatch), deps.interactions.on(dispatch)];
  }

  get name(): string {
    return this.deps.name;
  }

  get up(): boolean {
    return this.http !== undefined;
  }

  /** `host:port`; the pair shares one address, so the port stands in for a second host name. */
  get hostPort(): string {
    return `${this.deps.host}:${this.port}`;
  }

  get url(): string {
    return `http://${this.hostPort}`;
  }

  async start(): Promise<void> {
    if (this.http) return;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.deps.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.http = server;
  }

  /** Refuses connections from now on, as a crashed server would; its sessions are gone. */
  async stop(reason = 'The server stopped.'): Promise<void> {
    const server = this.http;
    if (!server) return;
    this.http = undefined;
    this.endAllSessions(reason);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async close(): Promise<void> {
    await this.stop('The simulator closed.');
    for (const off of this.unsubscribe) off();
  }

  createSession(info: NewSession): IcwsSession {
    const session = new IcwsSession(info, this.deps.limits, (ended, reason) => {
      this.sessions.delete(ended.id);
      this.deps.log.info(
        { server: this.name, sessionId: ended.id, userId: ended.info.userId, reason },
        'session ended',
      );
    });
    this.sessions.set(session.id, session);
    return session;
  }

  endAllSessions(reason: string): void {
    for (const session of [...this.sessions.values()]) session.end(reason);
  }

  private dispatch(event: CicEvent): void {
    for (const session of this.sessions.values()) {
      for (const subscription of session.subscriptions.values()) {
        const message = subscription.messageFor(event);
        if (message) session.push(message);
        if (session.ended) break;
      }
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let name = `${method} (no route)`;
    try {
      const isPublic = url.pathname === '/icws/connection' || url.pathname.startsWith('/icws/connection/');
      const scoped = isPublic ? null : sessionPath.exec(url.pathname);
      if (isPublic) {
        const found = matchRoute(this.publicRoutes, method, url.pathname);
        if (found && found !== 'methodNotAllowed') name = found.route.name;
        if (this.role !== 'primary') throw notAcceptingConnections(this.peer);
        if (found === 'methodNotAllowed') throw methodNotAllowed();
        if (!found) throw notFound();
        await found.route.handler({ req, res, url, params: found.params });
      } else if (scoped) {
        const found = matchRoute(this.sessionRoutes as Route[], method, scoped[2]);
        if (found && found !== 'methodNotAllowed') name = found.route.name;
        const session = this.authenticate(req, decodeURIComponent(scoped[1]));
        if (found === 'methodNotAllowed') throw methodNotAllowed();
        if (!found) throw notFound();
        await (found.route as unknown as SessionRoute).handler({
          req,
          res,
          url,
          params: found.params,
          session,
        });
      } else throw notFound();
    } catch (err) {
      if (res.headersSent) res.end();
      else if (err instanceof HttpError) sendHttpError(res, err);
      else {
        this.deps.log.error({ err, path: url.pathname }, 'ICWS simulator handler failed');
        sendJson(res, 500, { errorId: 'error.server.internal', message: 'Internal server error.' });
      }
    } finally {
      this.requestCounts.set(name, (this.requestCounts.get(name) ?? 0) + 1);
    }
  }

  /** Session id, CSRF token and cookie must all match a live session of this server. */
  private authenticate(req: IncomingMessage, sessionId: string): IcwsSession {
    const session = this.sessions.get(sessionId);
    const csrf = req.headers['inin-icws-csrf-token'];
    const cookie = session && parseCookies(req.headers.cookie).get(session.cookieName);
    if (!session || session.ended || csrf !== session.csrfToken || cookie !== session.cookieValue) {
      throw new HttpError(
        401,
        {
          errorId: 'error.request.connection.sessionNotFound',
          errorCode: 2,
          message: 'The session is not valid.',
        },
        { 'WWW-Authenticate': 'ICWS realm="ICWS" location="/ICWS/connection"' },
      );
    }
    return session;
  }
}

/** Thrown by a switchover that cannot happen because the backup is down. */
export class SwitchoverRefused extends Error {
  override name = 'SwitchoverRefused';
}

function notFound(): HttpError {
  return new HttpError(404, { errorId: 'error.request.notFound', message: 'The resource does not exist.' });
}

function methodNotAllowed(): HttpError {
  return new HttpError(405, {
    errorId: 'error.request.accessDenied.httpMethodNotAllowed',
    message: 'The HTTP method is not allowed.',
  });
}
