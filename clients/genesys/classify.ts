import { AuthError, GenesysApiError, RateLimitedError, ScimError } from './errors';
import type { ResponseHeaders } from './http-types';

/**
 * The one table that turns an HTTP failure into a typed error. Permanent (a retry repeats the same answer):
 * 400, 403, 404, 409, 412, 413, 422, other 4xx and an unexpected 3xx. Transient: 408, 429, 5xx, timeouts
 * and dropped connections. 401 is an AuthError here; http.ts refreshes the token once before letting it out.
 */

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** When a 429 names no wait at all, the smallest pause that still lets a per-minute window drain a little. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

const genesysTypes: Record<number, string> = {
  400: 'GenesysBadRequest',
  403: 'GenesysForbidden',
  404: 'GenesysNotFound',
  409: 'GenesysConflict',
  412: 'GenesysPreconditionFailed',
  413: 'GenesysPayloadTooLarge',
  422: 'GenesysUnprocessable',
};

// RFC 7644 §3.14 answers a stale If-Match with 412; Genesys answers 400 scimType=invalidVers. Both mean
// "re-read and try again with the new version", so both get the same type.
const scimTypes: Record<number, string> = {
  400: 'ScimInvalidValue',
  403: 'ScimForbidden',
  404: 'ScimNotFound',
  409: 'ScimConflict',
  412: 'ScimInvalidVersion',
  413: 'ScimPayloadTooLarge',
};

/**
 * How long the far side asked us to wait, in ms: Retry-After (seconds or an HTTP date) or, without it,
 * inin-ratelimit-reset, but only when inin-ratelimit-count shows the window spent. A 429 for another reason
 * (Genesys answers 429 to an oversized SCIM page) must not stall every process until the window resets.
 */
export function retryAfterMs(headers: ResponseHeaders): number | undefined {
  const ra = headers.get('retry-after');
  if (ra) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  const [count, allowed, reset] = ['count', 'allowed', 'reset'].map((h) =>
    Number(headers.get(`inin-ratelimit-${h}`) ?? NaN),
  );
  return count >= allowed && Number.isFinite(reset) ? Math.max(0, reset * 1000) : undefined;
}

function field(body: unknown, key: string): string | undefined {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

function isScimBody(body: unknown): boolean {
  const schemas = body && typeof body === 'object' ? (body as { schemas?: unknown }).schemas : undefined;
  return Array.isArray(schemas) && schemas.includes(SCIM_ERROR_SCHEMA);
}

/** Builds the typed error for a non-2xx response whose body has been parsed (or is undefined). */
export function classifyResponse(
  req: string,
  status: number,
  headers: ResponseHeaders,
  body: unknown,
): GenesysApiError {
  const correlationId = headers.get('inin-correlation-id') ?? field(body, 'contextId');
  const scim = isScimBody(body);
  const code = scim ? field(body, 'scimType') : field(body, 'code');
  const said = (scim ? field(body, 'detail') : field(body, 'message')) ?? `HTTP ${status}`;
  const message = `${req} → ${status}${code ? ` ${code}` : ''}: ${said}`;
  const wait = retryAfterMs(headers);

  if (status === 401) return new AuthError({ message, status, code, correlationId });
  if (status === 429) {
    return new RateLimitedError({
      message,
      code,
      correlationId,
      retryAfterMs: wait ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  }
  if (status === 408 || status >= 500) {
    const type = status === 408 ? 'GenesysTimeout' : 'GenesysServerError';
    return new GenesysApiError({
      type,
      status,
      message,
      code,
      correlationId,
      retryable: true,
      retryAfterMs: wait,
    });
  }
  if (scim) {
    const type = code === 'invalidVers' ? 'ScimInvalidVersion' : (scimTypes[status] ?? 'ScimInvalidValue');
    return new ScimError({
      type,
      status,
      message,
      code,
      correlationId,
      retryable: false,
      scimType: code,
      detail: said,
    });
  }
  const type = genesysTypes[status] ?? 'GenesysClientError';
  return new GenesysApiError({ type, status, message, code, correlationId, retryable: false });
}

/** Builds the typed error for a request that got no HTTP answer: timed out, refused, reset or cut off. */
export function classifyNetworkFailure(req: string, err: unknown, timedOut: boolean): GenesysApiError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = timedOut ? 'timeout' : (cause?.code ?? (err as { code?: string })?.code ?? 'network');
  const why = timedOut ? 'timed out' : (cause?.message ?? (err as Error)?.message ?? String(err));
  return new GenesysApiError({
    type: timedOut ? 'GenesysTimeout' : 'GenesysNetworkError',
    status: 0,
    message: `${req} → no response (${code}): ${why}`,
    code,
    retryable: true,
  });
}
