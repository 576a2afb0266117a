/**
 * The errors every Genesys Cloud call fails with (classified in classify.ts). `type` is the failure type
 * for Temporal. Temporal names a plain thrown error after its class (ScimError), not its type, so the
 * activity layer converts: `ApplicationFailure.create({ message, type: err.type, nonRetryable:
 * !err.retryable, nextRetryDelay: err.retryAfterMs })`; `nonRetryableGenesysErrorTypes` lists the permanent
 * types for activity options. `name` is the type too, so logs and stack traces say what happened.
 */

/** Thrown when Genesys Cloud (or any SCIM server behind our client) answers a request with a failure. */
export class GenesysApiError extends Error {
  readonly type: string;
  readonly status: number;
  readonly code: string | undefined;
  readonly correlationId: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(fields: {
    type: string;
    status: number;
    message: string;
    retryable: boolean;
    code?: string;
    correlationId?: string;
    retryAfterMs?: number;
  }) {
    super(fields.message);
    this.name = this.type = fields.type;
    this.status = fields.status;
    this.code = fields.code;
    this.correlationId = fields.correlationId;
    this.retryable = fields.retryable;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** Thrown when a SCIM endpoint answers with an RFC 7644 error body (`scimType`, `detail`). */
export class ScimError extends GenesysApiError {
  readonly scimType: string | undefined;
  readonly detail: string;

  constructor(
    fields: ConstructorParameters<typeof GenesysApiError>[0] & { scimType?: string; detail: string },
  ) {
    super(fields);
    this.scimType = fields.scimType;
    this.detail = fields.detail;
  }
}

/** Thrown on 429 once in-client retries are spent; the caller should try again after `retryAfterMs`. */
export class RateLimitedError extends GenesysApiError {
  declare readonly retryAfterMs: number;

  constructor(fields: { message: string; retryAfterMs: number; code?: string; correlationId?: string }) {
    super({ ...fields, type: 'GenesysRateLimited', status: 429, retryable: true });
  }
}

/** Thrown when the OAuth client is refused (bad credentials, or a fresh token gets 401): no retry helps. */
export class AuthError extends GenesysApiError {
  constructor(fields: { message: string; status: number; code?: string; correlationId?: string }) {
    super({ ...fields, type: 'GenesysAuth', retryable: false });
  }
}

/** Failure types no retry can fix; give these to Temporal as `nonRetryableErrorTypes`. */
export const nonRetryableGenesysErrorTypes = [
  'GenesysAuth',
  'GenesysBadRequest',
  'GenesysForbidden',
  'GenesysNotFound',
  'GenesysConflict',
  'GenesysPreconditionFailed',
  'GenesysPayloadTooLarge',
  'GenesysUnprocessable',
  'GenesysClientError',
  'ScimInvalidVersion',
  'ScimInvalidValue',
  'ScimNotFound',
  'ScimConflict',
  'ScimPayloadTooLarge',
  'ScimForbidden',
] as const;
