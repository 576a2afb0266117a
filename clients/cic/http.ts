import { callSignal } from '../../lib/call-signal';
import { recordRequest } from '../../lib/metrics';
import { CicNetworkError, classifyIcwsError, type IcwsErrorBody } from './errors';

export interface IcwsResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface IcwsFetchInit {
  method: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** `POST /icws/connection`, where 401 means bad credentials rather than a lost session. */
  connecting?: boolean;
}

/**
 * One ICWS call with a deadline. Network failures and timeouts become CicNetworkError and error statuses
 * their ICWS class; an abort by the caller's own signal is rethrown as is, so callers can tell "stop" from
 * "failed". The body is parsed as JSON whatever the media type, since ICWS uses its own vendor type.
 */
export async function icwsFetch<T = unknown>(
  server: string,
  url: string,
  init: IcwsFetchInit,
): Promise<IcwsResponse<T>> {
  const call = callSignal(init.signal, init.timeoutMs);
  const headers: Record<string, string> = {
    Accept: 'application/vnd.inin.icws+JSON, application/json',
    ...init.headers,
  };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  let text: string;
  const started = performance.now();
  try {
    res = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: call.signal,
      redirect: 'manual',
    });
    text = await res.text();
  } catch (err) {
    if (init.signal?.aborted) throw init.signal.reason;
    recordRequest('cic', new URL(url).pathname, undefined, started);
    throw networkError(server, `${init.method} ${new URL(url).pathname}`, err);
  } finally {
    call.done();
  }
  recordRequest('cic', new URL(url).pathname, res.status, started);
  if (res.status >= 300) throw errorFromResponse(server, res.status, text, init.connecting);
  return { status: res.status, headers: res.headers, body: parseJson(text) as T };
}

export function errorFromResponse(server: string, status: number, text: string, connecting = false): Error {
  return classifyIcwsError(server, status, (parseJson(text) ?? {}) as IcwsErrorBody, connecting);
}

export function networkError(server: string, what: string, err: unknown): CicNetworkError {
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  const cause =
    err instanceof Error && err.cause instanceof Error
      ? err.cause.message
      : err instanceof Error
        ? err.message
        : String(err);
  return new CicNetworkError(server, `${what} on ${server} ${timedOut ? 'timed out' : `failed: ${cause}`}`, {
    cause: err,
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** `name=value` of each Set-Cookie, ready for a Cookie header; attributes (Path, HttpOnly...) are dropped. */
export function cookiesFrom(headers: Headers, jar: Map<string, string>): Map<string, string> {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';', 1)[0];
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return jar;
}

export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
