import type { GenesysApiError } from './errors';
import type { RequestOptions } from './http-types';

/**
 * When the HTTP client may send a request again by itself. Whatever it does not repeat still carries its
 * `retryable` flag to the caller (a Temporal activity), which can check the far side before retrying.
 */

/**
 * Whether repeating a request after an unknown outcome is harmless: GET, PUT and DELETE are idempotent;
 * a PATCH with If-Match fails with a version error rather than applying twice; a POST only with a key.
 */
export function safeToRepeat(o: RequestOptions): boolean {
  if (o.idempotent || o.idempotencyKey) return true;
  if (o.method === 'PATCH') return Object.keys(o.headers ?? {}).some((h) => h.toLowerCase() === 'if-match');
  return o.method !== 'POST';
}

/**
 * Whether the far side certainly did not act on the request: it never left (no token could be fetched,
 * the connection was refused) or was turned away unprocessed (429). Such a request may always go again.
 */
export function certainlyNotApplied(err: GenesysApiError, sent: boolean): boolean {
  return !sent || err.status === 429 || err.code === 'ECONNREFUSED';
}

/** Exponential backoff with jitter (half to all of the step), so retrying callers spread out. */
export function backoffMs(attempt: number, baseMs = 250, maxMs = 10_000): number {
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(step * (0.5 + Math.random() / 2));
}
