import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../lib/logger';
import {
  ApiError,
  BodyTooLargeError,
  genesysErrorBody,
  readBody,
  send,
  sendError,
  type Ctx,
  type HostKind,
  type SimUrls,
} from './http';
import type { RequestLogEntry } from './request-log';
import type { Router } from './router';
import type { SimState } from './store';

/**
 * One request, in the order a real edge would apply things: injected faults, routing, the request-size
 * limit, bearer authentication, the per-token rate limit, then the body and the handler. Every api/login
 * request lands in the request log once, whether it was answered, dropped or left hanging.
 */

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function authenticate(ctx: Ctx): void {
  const header = ctx.req.headers.authorization;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const fail = (msg: string, code: string) =>
    new ApiError(401, msg, { code, headers: { 'WWW-Authenticate': 'Bearer realm="api"' } });
  if (!m)
    throw fail(
      'No authentication bearer token specified in authorization header.',
      'authentication.required',
    );
  const token = ctx.state.tokens.get(m[1]);
  if (!token) throw fail('Invalid login credentials.', 'bad.credentials');
  if (token.expiresAt <= Date.now()) throw fail('The access token has expired.', 'bad.credentials');
  ctx.token = token;
}

function rateLimit(ctx: Ctx): void {
  const { state, token } = ctx;
  const key = state.settings.rateLimitKey === 'client' ? `c:${token!.clientId}` : `t:${token!.token}`;
  const d = state.rateLimiter.hit(key);
  if (!d) return;
  const res = ctx.res;
  res.setHeader('inin-ratelimit-count', d.count);
  res.setHeader('inin-ratelimit-allowed', d.allowed);
  res.setHeader('inin-ratelimit-reset', d.resetSeconds);
  if (d.limited) {
    ctx.style = 'genesys';
    throw new ApiError(
      429,
      `Rate limit exceeded the maximum. Retry the request in [${d.resetSeconds}] seconds`,
      {
        code: 'too.many.requests.retry.after',
        headers: { 'Retry-After': String(d.resetSeconds) },
      },
    );
  }
}

/** Returns true when the fault answered (or deliberately did not answer) the request. */
async function injectFaults(
  ctx: Ctx,
  host: 'api' | 'login',
  mark: (o: RequestLogEntry['outcome']) => void,
): Promise<boolean> {
  const outcome = ctx.state.faults.evaluate(host, ctx.method, ctx.path);
  if (outcome.latencyMs > 0) await sleep(outcome.latencyMs);
  const f = outcome.terminal;
  if (!f) return false;
  switch (f.kind) {
    case 'drop':
      mark('dropped');
      ctx.req.socket.destroy();
      return true;
    case 'dropAfterApply':
      ctx.dropAnswer = () => mark('dropped');
      return false;
    case 'timeout':
      mark('hung');
      return true;
    case 'rateLimit': {
      const retry = String(f.retryAfterSeconds ?? 5);
      send(
        ctx,
        429,
        genesysErrorBody(
          429,
          `Rate limit exceeded the maximum. Retry the request in [${retry}] seconds`,
          'too.many.requests.retry.after',
        ),
        {
          'Retry-After': retry,
        },
        'application/json; charset=utf-8',
      );
      return true;
    }
    case 'error': {
      const status = f.status ?? 503;
      send(
        ctx,
        status,
        genesysErrorBody(status, 'The service is temporarily unavailable (injected fault).'),
        {},
        'application/json; charset=utf-8',
      );
      return true;
    }
    default:
      return false;
  }
}

export function createHandler(
  host: HostKind,
  router: Router,
  state: SimState,
  urls: SimUrls,
  log: Logger,
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    void handle(host, router, state, urls, log, req, res);
  };
}

async function handle(
  host: HostKind,
  router: Router,
  state: SimState,
  urls: SimUrls,
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const match = router.match(method, path);
  const fallbackStyle = host === 'admin' ? 'admin' : path.startsWith('/api/v2/scim/') ? 'scim' : 'genesys';
  const ctx: Ctx = {
    req,
    res,
    host,
    method,
    path,
    query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
    params: match.kind === 'found' ? match.params : {},
    template:
      match.kind === 'found'
        ? match.route.template
        : match.kind === 'method'
          ? match.template
          : '(unmatched)',
    style: match.kind === 'found' ? match.route.style : match.kind === 'method' ? match.style : fallbackStyle,
    state,
    urls,
  };
  let outcome: RequestLogEntry['outcome'] | undefined;
  if (host !== 'admin') {
    res.setHeader('ININ-Correlation-Id', randomUUID());
    res.once('close', () => {
      const finished = res.writableFinished;
      state.requestLog.record({
        at: new Date().toISOString(),
        host,
        method,
        path,
        template: ctx.template,
        status: finished ? res.statusCode : 0,
        outcome: finished ? 'response' : (outcome ?? 'aborted'),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        clientId: ctx.token?.clientId,
      });
      if (log.isLevelEnabled('debug')) log.debug({ host, method, path, status: res.statusCode }, 'request');
    });
  }
  try {
    if (host !== 'admin' && !state.faults.empty && (await injectFaults(ctx, host, (o) => (outcome = o))))
      return;
    if (match.kind === 'none')
      throw new ApiError(404, `No resource at ${method} ${path}.`, { code: 'not.found' });
    if (match.kind === 'method') {
      throw new ApiError(405, `${method} is not allowed on ${path}.`, {
        headers: { Allow: match.allowed.join(', ') },
      });
    }
    const limit = state.settings.maxBodyBytes;
    if (Number(req.headers['content-length'] ?? 0) > limit * 16) {
      res.setHeader('Connection', 'close');
      throw new BodyTooLargeError(limit);
    }
    if (match.route.auth) {
      authenticate(ctx);
      rateLimit(ctx);
    }
    if (BODY_METHODS.has(method)) ctx.body = await readBody(req, limit);
    await match.route.handler(ctx);
  } catch (err) {
    if (err instanceof BodyTooLargeError) res.setHeader('Connection', 'close');
    if (err instanceof ApiError) {
      sendError(ctx, err);
      return;
    }
    log.error({ err, method, path }, 'simulator handler failed');
    sendError(ctx, new ApiError(500, 'Internal server error.'));
  }
}
