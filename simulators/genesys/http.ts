import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimState, TokenInfo } from './store';

export type HostKind = 'api' | 'login' | 'admin';

/** How a route renders its errors: SCIM (RFC 7644), Genesys Platform API, OAuth 2.0 (RFC 6749) or plain admin JSON. */
export type ErrorStyle = 'scim' | 'genesys' | 'oauth' | 'admin';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface SimUrls {
  api: string;
  login: string;
  admin: string;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  host: HostKind;
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  template: string;
  style: ErrorStyle;
  state: SimState;
  urls: SimUrls;
  token?: TokenInfo;
  body?: Buffer;
  /** Set by a `dropAfterApply` fault: the answer is replaced by a cut connection. */
  dropAnswer?: () => void;
}

/**
 * Thrown by handlers for every client-visible failure; the pipeline renders it in the route's error style.
 * `code` is the Genesys error code, `scimType` the RFC 7644 scimType, `oauthError` the RFC 6749 error.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: {
      code?: string;
      scimType?: string;
      oauthError?: string;
      headers?: Record<string, string>;
      details?: unknown[];
    } = {},
  ) {
    super(message);
  }
}

export class BodyTooLargeError extends ApiError {
  constructor(limit: number) {
    super(413, `The request body exceeds the maximum of ${limit} bytes.`, {
      code: 'request.entity.too.large',
    });
  }
}

const defaultCodes: Record<number, string> = {
  400: 'bad.request',
  401: 'bad.credentials',
  403: 'forbidden',
  404: 'not.found',
  405: 'method.not.allowed',
  409: 'conflict',
  413: 'request.entity.too.large',
  415: 'unsupported.media.type',
  422: 'unprocessable.entity',
  429: 'too.many.requests',
  500: 'internal.server.error',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'gateway.timeout',
};

export function genesysErrorBody(status: number, message: string, code?: string, details: unknown[] = []) {
  return {
    message,
    code: code ?? defaultCodes[status] ?? 'error',
    status,
    messageParams: {},
    contextId: randomUUID(),
    details,
    errors: [],
  };
}

export function scimErrorBody(status: number, detail: string, scimType?: string) {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function send(
  ctx: Ctx,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
  contentType = ctx.style === 'scim' ? SCIM_CONTENT_TYPE : JSON_CONTENT_TYPE,
): void {
  sendRaw(ctx, status, body === undefined ? '' : JSON.stringify(body), headers, contentType);
}

/** Sends an already serialised JSON payload in one write. */
export function sendRaw(
  ctx: Ctx,
  status: number,
  payload: string,
  headers: Record<string, string | number> = {},
  contentType = ctx.style === 'scim' ? SCIM_CONTENT_TYPE : JSON_CONTENT_TYPE,
): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  if (ctx.dropAnswer) {
    ctx.dropAnswer();
    ctx.req.socket.destroy();
    return;
  }
  const all: Record<string, string | number> = { ...headers, 'Content-Length': Buffer.byteLength(payload) };
  if (payload) all['Content-Type'] = contentType;
  res.writeHead(status, all);
  res.end(payload);
}

/** 204 No Content (a DELETE's answer), through the same fault hook as every other answer. */
export function sendNoContent(ctx: Ctx): void {
  if (ctx.dropAnswer) {
    ctx.dropAnswer();
    ctx.req.socket.destroy();
    return;
  }
  ctx.res.statusCode = 204;
  ctx.res.end();
}

export function sendError(ctx: Ctx, err: ApiError): void {
  const headers = err.extra.headers ?? {};
  switch (ctx.style) {
    case 'scim':
      send(ctx, err.status, scimErrorBody(err.status, err.message, err.extra.scimType), headers);
      return;
    case 'oauth':
      send(
        ctx,
        err.status,
        { error: err.extra.oauthError ?? 'invalid_request', error_description: err.message },
        { 'Cache-Control': 'no-store', ...headers },
      );
      return;
    case 'admin':
      send(ctx, err.status, { error: err.message, status: err.status }, headers);
      return;
    default:
      send(
        ctx,
        err.status,
        genesysErrorBody(err.status, err.message, err.extra.code, err.extra.details),
        headers,
      );
  }
}

/**
 * Reads the body without ever holding more than `limit` bytes. Past the limit the rest is read and thrown
 * away (up to `drainCap` bytes) so the 413 reaches a client that is still sending; beyond that the
 * connection is cut.
 */
export function readBody(req: IncomingMessage, limit: number, drainCap = limit * 16): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drainCap)
        settle(() => {
          req.socket.destroy();
          reject(new BodyTooLargeError(limit));
        });
    });
    req.on('end', () =>
      settle(() =>
        size > limit
          ? reject(new BodyTooLargeError(limit))
          : resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)),
      ),
    );
    req.on('error', (err) => settle(() => reject(err)));
    // A client that goes away mid-body fires neither end nor error on every Node version.
    req.on('close', () => settle(() => reject(new ApiError(400, 'The request body was not completed.'))));
  });
}

/** Parses a JSON body; an empty or malformed body is a 400 in the route's style. */
export function jsonBody(ctx: Ctx): unknown {
  const raw = ctx.body;
  if (!raw || raw.length === 0) throw invalidBody(ctx, 'The request body is empty.');
  const type = String(ctx.req.headers['content-type'] ?? '');
  if (type && !/^application\/(scim\+)?json\b/i.test(type)) {
    throw new ApiError(415, `Content-Type ${type} is not supported; send application/json.`, {
      code: 'unsupported.media.type',
    });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidBody(ctx, 'The request body is not valid JSON.');
  }
}

function invalidBody(ctx: Ctx, message: string): ApiError {
  return new ApiError(400, message, { scimType: ctx.style === 'scim' ? 'invalidSyntax' : undefined });
}

export function formBody(ctx: Ctx): URLSearchParams {
  const type = String(ctx.req.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new ApiError(400, 'Content-Type must be application/x-www-form-urlencoded.', {
      oauthError: 'invalid_request',
    });
  }
  return new URLSearchParams((ctx.body ?? Buffer.alloc(0)).toString('utf8'));
}

/**
 * Decodes `Authorization: Basic` into id and secret candidates. RFC 6749 §2.3.1 form-encodes both parts
 * before base64, most SDKs do not; both readings are offered so either kind of client authenticates.
 */
export function basicCredentials(header: string | undefined): { id: string; secret: string }[] {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return [];
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return [];
  const raw = { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  try {
    const form = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
    return [raw, { id: form(raw.id), secret: form(raw.secret) }];
  } catch {
    return [raw];
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
