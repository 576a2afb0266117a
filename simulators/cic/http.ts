import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { IcwsSession } from './session';

/** ICWS answers with its own media type, not application/json; clients must not insist on the latter. */
export const icwsMediaType = 'application/vnd.inin.icws+JSON; charset=utf-8';

const maxBodyBytes = 1024 * 1024;

/** Thrown inside a handler to answer with an ICWS error body; the router turns it into the response. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? body.errorId ?? status));
  }

  withHeaders(headers: Record<string, string>): HttpError {
    return new HttpError(this.status, this.body, { ...this.headers, ...headers });
  }
}

export function icwsError(
  status: number,
  errorId: string,
  message: string,
  extra: Record<string, unknown> = {},
): HttpError {
  return new HttpError(status, { errorId, message, ...extra });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
  contentType = icwsMediaType,
): void {
  if (body === undefined) {
    res.writeHead(status, { 'Content-Length': '0', ...headers });
    res.end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

export function sendHttpError(res: ServerResponse, err: HttpError, contentType = icwsMediaType): void {
  sendJson(res, err.status, err.body, err.headers, contentType);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes)
      throw icwsError(413, 'error.request.entityTooLarge', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body and validates it; a malformed body is the 400 ICWS gives for an invalid representation. */
export async function readJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  const text = await readBody(req);
  let value: unknown;
  try {
    value = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw icwsError(400, 'error.request.invalidRepresentation', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const propertyName = issue?.path.join('.') || undefined;
    throw icwsError(
      400,
      issue?.code === 'invalid_type' && issue.message.includes('undefined')
        ? 'error.request.invalidRepresentation.missingProperty'
        : 'error.request.invalidRepresentation.invalidProperty',
      `${propertyName ?? 'body'}: ${issue?.message ?? 'invalid'}`,
      propertyName ? { propertyName } : {},
    );
  }
  return parsed.data;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Request-count key, with the variable parts named, e.g. `GET /icws/{sessionId}/configuration/users`. */
  name: string;
  handler: Handler;
}

export function route(method: string, path: string, handler: Handler): Route {
  const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  return { method, pattern, name: `${method} ${path}`, handler };
}

/** Finds the route for a request; 405 when the path exists under another method, undefined when it does not. */
export function matchRoute(
  routes: Route[],
  method: string,
  pathname: string,
): { route: Route; params: string[] } | 'methodNotAllowed' | undefined {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    if (r.method !== method) {
      pathMatched = true;
      continue;
    }
    return { route: r, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return pathMatched ? 'methodNotAllowed' : undefined;
}

export interface SessionRequest extends RequestContext {
  session: IcwsSession;
}

export interface SessionRoute extends Omit<Route, 'handler'> {
  handler: (ctx: SessionRequest) => Promise<void> | void;
}

/** Builds a route below `/icws/{sessionId}`; the server checks the session, CSRF token and cookie first. */
export function sessionRoute(method: string, path: string, handler: SessionRoute['handler']): SessionRoute {
  const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  return { method, pattern, name: `${method} /icws/{sessionId}${path}`, handler };
}
