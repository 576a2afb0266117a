import { setTimeout as sleep } from 'node:timers/promises';
import { request as httpRequest } from 'undici';
import { callSignal } from '../../lib/call-signal';
import { createLogger } from '../../lib/logger';
import { recordRequest } from '../../lib/metrics';
import { classifyNetworkFailure, classifyResponse } from './classify';
import { AuthError, GenesysApiError } from './errors';
import {
  newHttpStats,
  type HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  type RequestOptions,
  type ResponseHeaders,
} from './http-types';
import { backoffMs, certainlyNotApplied, safeToRepeat } from './retry-policy';

export * from './http-types';

const log = createLogger('genesys-http');

function buildUrl(base: string, path: string, query: RequestOptions['query']): string {
  const url = new URL(base.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

/** Response headers as undici gives them (lower-case names), read through `get` like WHATWG `Headers`. */
class RawHeaders implements ResponseHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
}

function parseBody(text: string, headers: ResponseHeaders): unknown {
  if (!text) return undefined;
  if (!/json/i.test(headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Serialises the body once, refusing what Genesys would refuse anyway (413) without spending a request. */
function encode(o: RequestOptions, what: string, maxBytes: number) {
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  if (o.idempotencyKey) headers['Idempotency-Key'] = o.idempotencyKey;
  if (o.body === undefined) return { headers, payload: undefined };
  const payload = JSON.stringify(o.body);
  headers['Content-Type'] = o.contentType ?? 'application/json';
  const size = Buffer.byteLength(payload);
  if (size > maxBytes) {
    const message = `${what}: body of ${size} bytes is over the ${maxBytes}-byte limit`;
    throw new GenesysApiError({ type: 'GenesysPayloadTooLarge', status: 413, message, retryable: false });
  }
  return { headers, payload };
}

/** The one request function every Genesys call goes through: budget, token, timeout, classify, retry. */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const stats = opts.stats ?? newHttpStats();
  const maxRetries = opts.maxRetries ?? 5;
  const quietly = (what: string, p: Promise<void> | undefined) =>
    p?.catch((err) =>
      log.warn({ err: (err as Error).message }, `could not ${what} the shared request budget`),
    );

  /** One attempt: sends and classifies. Budget and token are already in hand. */
  async function send<T>(o: RequestOptions, what: string, req: ReturnType<typeof encode>, token: string) {
    const call = callSignal(o.signal, o.timeoutMs ?? opts.timeoutMs ?? 30_000);
    const headers = { ...req.headers, Authorization: `Bearer ${token}` };
    stats.requests++;
    const started = performance.now();
    let res: { status: number; headers: ResponseHeaders; ok: boolean };
    let body: unknown;
    try {
      // undici's request rather than fetch: no WHATWG streams or Response objects per call, which were the
      // largest client-side cost of a full pass (about a third of the worker's CPU at 10,000 users).
      const answer = await httpRequest(buildUrl(opts.baseUrl, o.path, o.query), {
        method: o.method as 'GET',
        headers,
        body: req.payload,
        signal: call.signal,
      });
      const raw = new RawHeaders(answer.headers);
      res = { status: answer.statusCode, headers: raw, ok: answer.statusCode >= 200 && answer.statusCode < 300 };
      body = parseBody(await answer.body.text(), raw);
      recordRequest('genesys', o.path, res.status, started);
    } catch (err) {
      if (o.signal?.aborted) throw err;
      recordRequest('genesys', o.path, undefined, started);
      stats.networkErrors++;
      throw classifyNetworkFailure(what, err, call.timedOut());
    } finally {
      call.done();
    }
    // The answer is in: a Redis hiccup from here on must not turn it into a failure (and a repeated POST).
    await quietly('update', opts.budget?.observe(res.headers));
    if (res.ok || o.accept?.includes(res.status)) {
      return { status: res.status, headers: res.headers, body: body as T } satisfies HttpResponse<T>;
    }
    const err = classifyResponse(what, res.status, res.headers, body);
    if (res.status === 429) {
      stats.rateLimited++;
      await quietly('pause', opts.budget?.pause(err.retryAfterMs ?? 0));
    } else if (res.status >= 500) stats.serverErrors++;
    throw err;
  }

  return {
    baseUrl: opts.baseUrl,
    stats,
    async request<T>(o: RequestOptions): Promise<HttpResponse<T>> {
      // Paths only: a query can hold a filter with an email address, which does not belong in logs.
      const what = `${o.method} ${o.path}`;
      const req = encode(o, what, opts.maxBodyBytes ?? 512_000);
      let refreshed = false;
      for (let attempt = 0; ; attempt++) {
        let token: string | undefined;
        try {
          // The slot first, then the token: a long wait for a slot must not leave us holding a stale token.
          await opts.budget?.acquire(o.priority ?? 'normal', o.signal);
          token = await opts.tokens.getToken();
          return await send<T>(o, what, req, token);
        } catch (err) {
          if (!(err instanceof GenesysApiError)) throw err;
          // 401 means the request was not processed, so even a POST may go again, once, with a new token.
          if (err instanceof AuthError && err.status === 401 && token !== undefined && !refreshed) {
            refreshed = true;
            stats.tokenRefreshes++;
            opts.tokens.invalidate(token);
            continue;
          }
          const safe = certainlyNotApplied(err, token !== undefined) || safeToRepeat(o);
          if (!err.retryable || !safe || attempt >= maxRetries) throw err;
          stats.retries++;
          // With a budget the 429 pause already holds the next acquire() back; otherwise wait it out here.
          const wait =
            err.status === 429 && opts.budget
              ? 0
              : Math.max(
                  err.retryAfterMs ?? 0,
                  backoffMs(attempt + 1, opts.backoffBaseMs, opts.backoffMaxMs),
                );
          const attrs = {
            request: what,
            type: err.type,
            status: err.status,
            attempt: attempt + 1,
            waitMs: wait,
          };
          log.debug(attrs, 'retrying');
          if (wait > 0) await sleep(wait, undefined, { signal: o.signal });
        }
      }
    },
  };
}
