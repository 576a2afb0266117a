import { createLogger } from '../../lib/logger';
import { CicNetworkError, IcwsError, ServerUnavailableError } from './errors';
import { cookiesFrom, icwsFetch } from './http';
import { uniqueServers } from './servers';
import { alternateHostPolicy, type AlternateHostPolicy } from './alternate-hosts';
import type { ConnectionResponse } from './types';

const log = createLogger('cic-client');

export interface ConnectOptions {
  /** Base URLs (e.g. `https://cic1:8019`, then the switchover peer), tried in order. */
  servers: string[];
  userId: string;
  password: string;
  /** Connect with a one-time token from another session instead (`userId`/`password` are then unused). */
  authToken?: { token: string; seed: string };
  applicationName?: string;
  /** Sent as Accept-Language; ICWS fixes it for the life of the session. */
  language?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Hosts an `alternateHostList` may send us to besides those of `servers` (see `alternateHostPolicy`): an
   * explicit allow-list, for a switchover peer that is not configured as a server.
   */
  allowedHosts?: string[];
}

/** What `POST /icws/connection` gave us; handed straight to the session, which keeps the secrets private. */
export interface OpenedConnection {
  server: string;
  sessionId: string;
  csrfToken: string;
  cookies: Map<string, string>;
  userId: string;
  userDisplayName?: string;
  /** Other servers CIC named (the switchover peer), as base URLs. */
  alternateServers: string[];
  features: Map<string, number>;
  language: string;
  timeoutMs: number;
}

/**
 * Opens a connection on the first server that takes it. A 503 (switchover backup) sends us to the hosts in
 * its `alternateHostList`, a network failure or 5xx to the next server; bad credentials stop at once, as
 * every server of a pair checks the same directory.
 */
export async function openConnection(opts: ConnectOptions): Promise<OpenedConnection> {
  const queue = uniqueServers(opts.servers);
  const policy = alternateHostPolicy(opts.servers, opts.allowedHosts);
  const tried = new Set<string>();
  let lastError: Error | undefined;
  while (queue.length > 0) {
    const server = queue.shift()!;
    if (tried.has(server)) continue;
    tried.add(server);
    try {
      return await connectTo(server, opts, policy);
    } catch (err) {
      if (err instanceof ServerUnavailableError) {
        const { allowed: alternates, refused } = policy.filter(err.alternateHostList, server);
        if (refused.length) log.warn({ server, refused }, 'CIC named alternate hosts outside the switchover pair: not followed');
        log.info(
          { server, alternates, errorId: err.errorId },
          'CIC server not accepting connections; trying its alternates',
        );
        queue.unshift(...alternates);
      } else if (err instanceof CicNetworkError || (err instanceof IcwsError && err.retryable)) {
        log.warn({ server, err: err.message }, 'CIC server unreachable; trying the next one');
      } else throw err;
      lastError = err;
    }
  }
  throw lastError ?? new CicNetworkError('', 'No CIC servers configured');
}

async function connectTo(server: string, opts: ConnectOptions, policy: AlternateHostPolicy): Promise<OpenedConnection> {
  const language = opts.language ?? 'en-us';
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const res = await icwsFetch<ConnectionResponse>(
    server,
    `${server}/icws/connection?include=features,version`,
    {
      method: 'POST',
      headers: { 'Accept-Language': language },
      body: opts.authToken
        ? {
            __type: 'urn:inin.com:connection:authTokenConnectionRequestSettings',
            applicationName: opts.applicationName ?? 'cloud-bridge',
            authToken: opts.authToken.token,
            authTokenSeed: opts.authToken.seed,
          }
        : {
            __type: 'urn:inin.com:connection:icAuthConnectionRequestSettings',
            applicationName: opts.applicationName ?? 'cloud-bridge',
            userID: opts.userId,
            password: opts.password,
          },
      timeoutMs,
      signal: opts.signal,
      connecting: true,
    },
  );
  const body = res.body ?? {};
  const sessionId = body.sessionId ?? res.headers.get('ININ-ICWS-Session-ID');
  const csrfToken = body.csrfToken ?? res.headers.get('ININ-ICWS-CSRF-Token');
  if (!sessionId || !csrfToken) {
    throw new IcwsError(
      res.status,
      undefined,
      undefined,
      `${server} answered connect without a session id or CSRF token`,
      { retryable: true },
    );
  }
  const named = policy.filter(body.alternateHostList ?? [], server);
  if (named.refused.length) log.warn({ server, refused: named.refused }, 'CIC named alternate hosts outside the switchover pair: not kept');
  const alternateServers = named.allowed.filter((s) => s !== server);
  log.info(
    { server, userId: body.userID ?? opts.userId, alternates: alternateServers },
    'ICWS session opened',
  );
  return {
    server,
    sessionId,
    csrfToken,
    cookies: cookiesFrom(res.headers, new Map()),
    userId: body.userID ?? opts.userId,
    userDisplayName: body.userDisplayName,
    alternateServers,
    features: new Map((body.features ?? []).map((f) => [f.featureId, Number(f.version)])),
    language,
    timeoutMs,
  };
}
