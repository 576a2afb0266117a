import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  HttpError,
  icwsError,
  readJson,
  route,
  sendJson,
  sessionRoute,
  type Route,
  type SessionRoute,
} from './http';
import type { IcwsServer } from './server';
import { icwsDate } from './user-record';

const icAuthType = 'urn:inin.com:connection:icAuthConnectionRequestSettings';
const authTokenType = 'urn:inin.com:connection:authTokenConnectionRequestSettings';
const otherAuthTypes = ['urn:inin.com:connection:singleSignOnTokenConnectionRequestSettings'];
/** ICWS: a unique auth token is valid once, for about seven seconds. */
const AUTH_TOKEN_LIFETIME_MS = 7_000;

const connectionRequest = z.object({
  __type: z.string(),
  applicationName: z.string().min(1),
  userID: z.string().optional(),
  password: z.string().optional(),
  authToken: z.string().optional(),
  authTokenSeed: z.string().optional(),
  marketPlaceApplicationLicenseName: z.string().optional(),
  marketPlaceApplicationCode: z.string().optional(),
});

/** Feature versions this simulator honours; `messaging` 2 is what allows server-sent events. */
export const features = [
  { featureId: 'connection', version: 11 },
  { featureId: 'configuration', version: 12 },
  { featureId: 'messaging', version: 2 },
  { featureId: 'status', version: 4 },
  { featureId: 'queues', version: 3 },
  { featureId: 'interactions', version: 8 },
];

export const version = {
  majorVersion: 25,
  minorVersion: 1,
  su: 0,
  build: 0,
  productId: 'CIC',
  codebaseId: '25.1.0.0',
  productReleaseDisplayString: 'CIC 2025 R1',
  productPatchDisplayString: 'CIC 2025 R1 Patch 0',
};

const includeOptions = [
  'version',
  'features',
  'server-time',
  'default-workstation',
  'purecloud-integration',
  'effective-station',
];

export function notAcceptingConnections(peer: IcwsServer | undefined): HttpError {
  return icwsError(503, 'error.server.notAcceptingConnections', 'This server is not accepting connections.', {
    alternateHostList: peer ? [peer.hostPort] : [],
  });
}

/** `POST /icws/connection` and the session-free discovery calls; the server answers 503 here unless primary. */
export function connectionRoutes(server: IcwsServer): Route[] {
  return [
    route('POST', '/icws/connection', async ({ req, res, url }) => {
      // fetch() sends `Accept-Language: *` when the caller sets none; that names no language, so it fails too.
      const language = (req.headers['accept-language'] ?? '').split(',')[0].split(';')[0].trim();
      if (!/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i.test(language)) {
        throw icwsError(
          400,
          'error.request.missingHeader',
          'The Accept-Language header must name a language.',
          { headerName: 'Accept-Language' },
        );
      }
      const include = (url.searchParams.get('include') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = include.find((i) => !includeOptions.includes(i));
      if (unknown)
        throw icwsError(400, 'error.request.invalidQueryParameter', `include: unknown option '${unknown}'.`);
      const body = await readJson(req, connectionRequest);
      if (otherAuthTypes.includes(body.__type)) {
        throw icwsError(400, 'error.request.unsupported', `${body.__type} is not supported by this server.`);
      }
      if (body.__type !== icAuthType && body.__type !== authTokenType) {
        throw icwsError(
          400,
          'error.request.invalidRepresentation.invalidProperty',
          `Unknown __type '${body.__type}'.`,
          { propertyName: '__type' },
        );
      }
      let user;
      if (body.__type === authTokenType) {
        const grant = body.authToken ? server.authTokens.get(body.authToken) : undefined;
        if (body.authToken) server.authTokens.delete(body.authToken);
        const valid = grant && grant.seed === body.authTokenSeed && grant.expiresAt > Date.now();
        user = valid ? server.deps.directory.get(grant.userId) : undefined;
      } else {
        const named = body.userID ? server.deps.directory.get(body.userID) : undefined;
        if (named && server.deps.directory.checkPassword(named.configurationId.id, body.password ?? '')) user = named;
      }
      if (!user) {
        server.deps.log.info({ server: server.name, userId: body.userID }, 'ICWS authentication failed');
        throw icwsError(
          400,
          'error.request.connection.authenticationFailure',
          'The authentication process failed.',
          { errorCode: 1 },
        );
      }
      const session = server.createSession({
        userId: user.configurationId.id,
        userDisplayName: user.configurationId.displayName,
        applicationName: body.applicationName,
        language,
      });
      server.deps.log.info(
        { server: server.name, sessionId: session.id, userId: session.info.userId },
        'session created',
      );
      sendJson(
        res,
        201,
        {
          sessionId: session.id,
          csrfToken: session.csrfToken,
          alternateHostList: server.peer ? [server.peer.hostPort] : [],
          icServer: server.name,
          userID: session.info.userId,
          userDisplayName: session.info.userDisplayName,
          ...(include.includes('features') ? { features } : {}),
          ...(include.includes('version') ? { version } : {}),
          ...(include.includes('server-time') ? { serverTime: icwsDate(new Date()) } : {}),
        },
        {
          'ININ-ICWS-Session-ID': session.id,
          'ININ-ICWS-CSRF-Token': session.csrfToken,
          Location: `/icws/${session.id}/connection`,
          'Set-Cookie': `${session.cookieName}=${session.cookieValue}; Path=/icws/${session.id}; HttpOnly`,
        },
      );
    }),
    route('GET', '/icws/connection/features', ({ res }) => sendJson(res, 200, { featureInfoList: features })),
    route('GET', '/icws/connection/version', ({ res }) => sendJson(res, 200, version)),
  ];
}

/** State and logout of the caller's own session. */
export function sessionConnectionRoutes(server: IcwsServer): SessionRoute[] {
  return [
    sessionRoute('GET', '/connection', ({ res, session }) =>
      sendJson(res, 200, {
        connectionState: 1,
        shouldReconnect: false,
        userID: session.info.userId,
        icServer: server.name,
      }),
    ),
    sessionRoute('DELETE', '/connection', ({ res, session }) => {
      session.end('The client logged out.');
      sendJson(res, 204, undefined);
    }),
    sessionRoute('POST', '/connection/unique-auth-token', async ({ req, res, session }) => {
      const { authTokenSeed } = await readJson(req, z.object({ authTokenSeed: z.string().min(1).max(256) }));
      const now = Date.now();
      for (const [t, g] of server.authTokens) if (g.expiresAt <= now) server.authTokens.delete(t);
      const authToken = randomBytes(24).toString('base64url');
      server.authTokens.set(authToken, { userId: session.info.userId, seed: authTokenSeed, expiresAt: now + AUTH_TOKEN_LIFETIME_MS });
      sendJson(res, 201, { authToken });
    }),
    sessionRoute('GET', '/connection/switchover-status', ({ res }) =>
      sendJson(res, 200, {
        isSwitchoverActive: true,
        primaryHost: server.hostPort,
        ...(server.peer ? { backupHost: server.peer.hostPort } : {}),
        isBackupICStopping: false,
        isBackupICStarting: false,
        isManualSwitchOnly: false,
        upgradeState: 0,
        subsystemsDown: server.peer?.up ? [] : ['backup'],
      }),
    ),
  ];
}
