import { createLogger } from '../../lib/logger';
import { recordRequest } from '../../lib/metrics';
import { classifyNetworkFailure, classifyResponse } from './classify';
import { AuthError } from './errors';

/** Hands out the bearer token for every request; `invalidate` after a 401 makes the next call fetch anew. */
export interface TokenProvider {
  getToken(): Promise<string>;
  /** Forgets `token` (default: the cached one); a token that was already replaced is ignored. */
  invalidate(token?: string): void;
}

/** A fixed bearer token, e.g. one an admin pasted for a third-party SCIM endpoint; it cannot be refreshed. */
export function staticBearer(token: string): TokenProvider {
  return { getToken: async () => token, invalidate: () => {} };
}

export interface ClientCredentialsOptions {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  /** Refresh this long before expiry; default min(60 s, a tenth of the lifetime). */
  refreshMarginMs?: number;
}

export interface ClientCredentialsProvider extends TokenProvider {
  readonly clientId: string;
  /** Tokens fetched so far, for tests and benchmarks. */
  readonly fetched: number;
}

const log = createLogger('genesys-oauth');

/**
 * OAuth 2.0 client-credentials grant against `{loginUrl}/oauth/token` (Basic auth, form body), cached until
 * shortly before `expires_in`. Concurrent callers share one in-flight fetch, so a burst of requests on a
 * cold cache or right after a 401 costs one token request, not one each.
 */
export function clientCredentialsProvider(opts: ClientCredentialsOptions): ClientCredentialsProvider {
  const tokenUrl = new URL('/oauth/token', opts.loginUrl).toString();
  // Genesys: id and secret go into Basic unencoded, as its SDKs send them (RFC 6749 §2.3.1 says to
  // form-encode them first; the two differ only for a secret holding reserved characters).
  const basic = Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64');
  let cached: { token: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  let fetched = 0;

  async function fetchToken(): Promise<string> {
    const what = `POST ${tokenUrl}`;
    let res: Response;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 15_000);
    const started = performance.now();
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
        signal: timeout,
      });
    } catch (err) {
      recordRequest('genesys-login', '/oauth/token', undefined, started);
      throw classifyNetworkFailure(what, err, timeout.aborted);
    }
    recordRequest('genesys-login', '/oauth/token', res.status, started);
    const body: any = await res.json().catch(() => undefined);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      // RFC 6749 §5.2 error body: `error` (invalid_client, unauthorized_client, ...), never the secret.
      const code = typeof body?.error === 'string' ? body.error : undefined;
      const message = `${what} → ${res.status} ${code ?? ''}: OAuth client ${opts.clientId} was refused`;
      throw new AuthError({ message, status: res.status, code });
    }
    if (!res.ok) throw classifyResponse(what, res.status, res.headers, body);
    if (typeof body?.access_token !== 'string') {
      throw new AuthError({
        message: `${what} → ${res.status}: no access_token in the answer`,
        status: res.status,
      });
    }
    const lifetimeMs = Math.max(1, Number(body.expires_in) || 300) * 1000;
    const margin = opts.refreshMarginMs ?? Math.min(60_000, lifetimeMs / 10);
    cached = { token: body.access_token, refreshAt: Date.now() + lifetimeMs - margin };
    fetched++;
    log.debug({ clientId: opts.clientId, expiresInS: lifetimeMs / 1000 }, 'fetched an access token');
    return body.access_token;
  }

  return {
    clientId: opts.clientId,
    get fetched() {
      return fetched;
    },
    async getToken() {
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      inflight ??= fetchToken().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    invalidate(token?: string) {
      if (!token || cached?.token === token) cached = undefined;
    },
  };
}
