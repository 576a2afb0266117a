import type { TokenProvider } from './oauth';
import type { Priority, RequestBudget } from './request-budget';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method: HttpMethod;
  /** Appended to the client's base URL. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
  priority?: Priority;
  /** Sent as `Idempotency-Key`; makes a POST safe to repeat. */
  idempotencyKey?: string;
  /** The caller vouches that repeating the request is harmless (e.g. a PATCH that sets an absolute state). */
  idempotent?: boolean;
  /** Non-2xx statuses that are answers rather than failures, e.g. 304 to If-None-Match. */
  accept?: number[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The part of a response's headers callers read: WHATWG `Headers` has it, and so does our light wrapper. */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: ResponseHeaders;
  body: T;
}

/** Counters for benchmarks and tests; `requests` counts every attempt that went on the wire. */
export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  serverErrors: number;
  networkErrors: number;
  tokenRefreshes: number;
}

export const newHttpStats = (): HttpStats => ({
  requests: 0,
  retries: 0,
  rateLimited: 0,
  serverErrors: 0,
  networkErrors: 0,
  tokenRefreshes: 0,
});

export interface HttpClientOptions {
  baseUrl: string;
  tokens: TokenProvider;
  /** Without one, requests are not counted against any shared budget (e.g. a third-party SCIM server). */
  budget?: RequestBudget;
  timeoutMs?: number;
  /** In-client retries of safe requests before the retryable error goes to the caller; default 5. */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Genesys refuses bodies over 512 000 bytes (request.bytes.max); we refuse them before sending. */
  maxBodyBytes?: number;
  stats?: HttpStats;
}

export interface HttpClient {
  readonly baseUrl: string;
  readonly stats: HttpStats;
  request<T = unknown>(opts: RequestOptions): Promise<HttpResponse<T>>;
}
