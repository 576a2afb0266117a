import { createLogger } from '../../lib/logger';
import { SessionEndedError } from './errors';
import {
  cookieHeader,
  cookiesFrom,
  errorFromResponse,
  icwsFetch,
  networkError,
  type IcwsResponse,
} from './http';
import { openConnection, type ConnectOptions, type OpenedConnection } from './connection';

const log = createLogger('cic-client');

export type { ConnectOptions };

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * One ICWS session. The CSRF token and cookies live in private fields so that logging or serialising a
 * session cannot leak them; the password is used for the connect call and never kept.
 */
export class IcwsSession {
  readonly server: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly userDisplayName: string | undefined;
  /** Other servers CIC named on connect (the switchover peer): where to go after a switchover. */
  readonly alternateServers: string[];
  readonly features: ReadonlyMap<string, number>;
  readonly language: string;
  readonly timeoutMs: number;
  readonly #csrfToken: string;
  readonly #cookies: Map<string, string>;
  #ended = false;

  private constructor(c: OpenedConnection) {
    this.server = c.server;
    this.sessionId = c.sessionId;
    this.userId = c.userId;
    this.userDisplayName = c.userDisplayName;
    this.alternateServers = c.alternateServers;
    this.features = c.features;
    this.language = c.language;
    this.timeoutMs = c.timeoutMs;
    this.#csrfToken = c.csrfToken;
    this.#cookies = c.cookies;
  }

  /** Connects to the first server that takes the session, following `alternateHostList` on 503. */
  static async connect(opts: ConnectOptions): Promise<IcwsSession> {
    return new IcwsSession(await openConnection(opts));
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Version of an ICWS feature (`messaging`, `configuration`, ...) as reported on connect; 0 when not listed. */
  featureVersion(featureId: string): number {
    return this.features.get(featureId) ?? 0;
  }

  /** A call under `/icws/{sessionId}`; a 401 marks the session ended and throws SessionEndedError. */
  async request<T = unknown>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<IcwsResponse<T>> {
    if (this.#ended) throw new SessionEndedError(0, {}, 'The ICWS session was closed.');
    try {
      const res = await icwsFetch<T>(this.server, this.url(path, opts.query), {
        method,
        headers: { ...this.headers(), ...opts.headers },
        body: opts.body,
        timeoutMs: opts.timeoutMs ?? this.timeoutMs,
        signal: opts.signal,
      });
      cookiesFrom(res.headers, this.#cookies);
      return res;
    } catch (err) {
      if (err instanceof SessionEndedError) this.#ended = true;
      throw err;
    }
  }

  /** Opens a long-lived response (server-sent events) for the caller to read; errors are classified as for `request`. */
  async openStream(path: string, signal: AbortSignal): Promise<Response> {
    if (this.#ended) throw new SessionEndedError(0, {}, 'The ICWS session was closed.');
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        headers: { ...this.headers(), Accept: 'text/event-stream' },
        signal,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw networkError(this.server, `GET ${path}`, err);
    }
    if (res.ok) return res;
    const err = errorFromResponse(this.server, res.status, await res.text().catch(() => ''));
    if (err instanceof SessionEndedError) this.#ended = true;
    throw err;
  }

  /**
   * A one-time token (valid once, for seconds) that lets another party open a session as this user; how an
   * agent signed in to CIC proves it to the bridge's token broker without handing over its password.
   */
  async uniqueAuthToken(seed: string): Promise<string> {
    const res = await this.request<{ authToken: string }>('POST', '/connection/unique-auth-token', { body: { authTokenSeed: seed } });
    return res.body.authToken;
  }

  /** Logs out; a session that is already gone counts as closed. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    const timeoutMs = Math.min(this.timeoutMs, 5_000);
    try {
      await icwsFetch(this.server, this.url('/connection'), {
        method: 'DELETE',
        headers: this.headers(),
        timeoutMs,
      });
    } catch (err) {
      log.debug(
        { server: this.server, err: (err as Error).message },
        'ICWS logout failed; the session is dropped anyway',
      );
    }
  }

  private url(path: string, query: RequestOptions['query'] = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return `${this.server}/icws/${encodeURIComponent(this.sessionId)}${path}${qs ? `?${qs}` : ''}`;
  }

  private headers(): Record<string, string> {
    return {
      'Accept-Language': this.language,
      'ININ-ICWS-CSRF-Token': this.#csrfToken,
      Cookie: cookieHeader(this.#cookies),
    };
  }
}
