/**
 * ICWS failures, classified once here so callers (the watch loop, activities) decide on the class alone:
 * `retryable` says whether the same call may succeed later, and `name` is the stable type string Temporal
 * copies into an ApplicationFailure (list the non-retryable ones in `nonRetryableErrorTypes`).
 */

/** The body ICWS sends with an error status. */
export interface IcwsErrorBody {
  errorId?: string;
  errorCode?: number;
  message?: string;
  alternateHostList?: string[];
}

/** Thrown for an ICWS error response that no narrower class covers; 5xx and 429 are retryable, other 4xx are not. */
export class IcwsError extends Error {
  override name = 'IcwsError';
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    readonly errorId: string | undefined,
    readonly errorCode: number | undefined,
    message: string,
    opts: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.retryable = opts.retryable ?? (status >= 500 || status === 429);
  }
}

/** Thrown when CIC refuses the user id or password: retrying with the same credentials cannot help. */
export class AuthenticationFailedError extends IcwsError {
  override name = 'CicAuthenticationFailed';
  constructor(status: number, body: IcwsErrorBody) {
    super(status, body.errorId, body.errorCode, body.message ?? 'The CIC user id or password is not valid.', {
      retryable: false,
    });
  }
}

/** Thrown when the session is gone (401, errorCode 2, switchover, logout): connect again, then re-subscribe. */
export class SessionEndedError extends IcwsError {
  override name = 'CicSessionEnded';
  constructor(status: number, body: IcwsErrorBody, message = body.message ?? 'The ICWS session has ended.') {
    super(status, body.errorId, body.errorCode, message, { retryable: true });
  }
}

/** Thrown on 503: this server does not take sessions now (a switchover backup); try `alternateHostList`. */
export class ServerUnavailableError extends IcwsError {
  override name = 'CicServerUnavailable';
  readonly alternateHostList: string[];
  constructor(
    readonly server: string,
    body: IcwsErrorBody,
  ) {
    super(503, body.errorId, body.errorCode, body.message ?? `${server} is not accepting connections.`, {
      retryable: true,
    });
    this.alternateHostList = Array.isArray(body.alternateHostList) ? body.alternateHostList.map(String) : [];
  }
}

/** Thrown when the server cannot be reached or does not answer in time; always retryable. */
export class CicNetworkError extends Error {
  override name = 'CicNetworkError';
  readonly retryable = true;
  constructor(
    readonly server: string,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts);
  }
}

/** Error types an activity must not retry; pass to Temporal's `nonRetryableErrorTypes`. */
export const nonRetryableCicErrorTypes = ['CicAuthenticationFailed'] as const;

/** True when the same call may succeed later (possibly on another server or in a new session). */
export function isRetryableCicError(err: unknown): boolean {
  return (err instanceof IcwsError || err instanceof CicNetworkError) && err.retryable;
}

/** Maps an ICWS error response to its class. `connecting` marks `POST /icws/connection`, where 401/400 mean bad credentials. */
export function classifyIcwsError(
  server: string,
  status: number,
  body: IcwsErrorBody,
  connecting = false,
): IcwsError {
  const errorId = body.errorId ?? '';
  if (errorId.includes('authenticationFailure') || (connecting && status === 401))
    return new AuthenticationFailedError(status, body);
  if (status === 503) return new ServerUnavailableError(server, body);
  if (status === 401 || body.errorCode === 2) return new SessionEndedError(status, body);
  return new IcwsError(status, body.errorId, body.errorCode, body.message ?? `ICWS answered ${status}`);
}
