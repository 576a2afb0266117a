import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createScrapeRegistry, renderMetrics } from '../metrics';
import { healthPage } from './page';
import { healthContext, runHealthChecks, type HealthDeps, type HealthProvider, type HealthReport } from './providers';
import { healthProviders } from './registry';

export interface HealthHttpOptions extends HealthDeps {
  /** When set, the page, its JSON and /metrics answer only with this token (bearer, or a cookie set from `?token=`). */
  accessToken?: string;
  providers?: HealthProvider[];
}

const COOKIE = 'bridge_health';
const PATHS = new Set(['/health', '/health.json', '/metrics']);
/** Pages opened at once share one round of checks rather than each running every check. */
const REPORT_REUSE_MS = 1000;

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameToken = (given: string | undefined, expected: string) => !!given && timingSafeEqual(digest(given), digest(expected));

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}

/**
 * `GET /health` (the integration health page), `/health.json` (the same report) and `/metrics` (Prometheus
 * text), on the bridge's HTTP server. Returns false for other paths. With an access token configured, a
 * browser opens `/health?token=…` once: the token moves to an HttpOnly cookie and out of the address bar (and
 * so out of the page's refreshes and any proxy log); Prometheus sends it as a bearer token.
 */
export function createHealthHttpHandler(opts: HealthHttpOptions) {
  const providers = opts.providers ?? healthProviders;
  const scrape = createScrapeRegistry(opts);
  let last: { at: number; report: Promise<HealthReport> } | undefined;
  const report = () => {
    if (!last || Date.now() - last.at > REPORT_REUSE_MS) last = { at: Date.now(), report: runHealthChecks(providers, healthContext(opts)) };
    return last.report;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    if (!PATHS.has(url.pathname)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'GET only\n', { Allow: 'GET, HEAD' });
      return true;
    }
    if (opts.accessToken) {
      const queryToken = url.searchParams.get('token') ?? undefined;
      if (queryToken !== undefined && sameToken(queryToken, opts.accessToken)) {
        url.searchParams.delete('token');
        send(res, 303, 'text/plain; charset=utf-8', 'see the page without the token\n', {
          Location: `${url.pathname}${url.search}`,
          'Set-Cookie': `${COOKIE}=${encodeURIComponent(queryToken)}; HttpOnly; SameSite=Strict; Path=/`,
        });
        return true;
      }
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!sameToken(bearer, opts.accessToken) && !sameToken(cookie(req, COOKIE), opts.accessToken)) {
        send(res, 401, 'text/plain; charset=utf-8', 'an access token is required (BRIDGE_HEALTH_TOKEN): send it as a bearer token, or open /health?token=… once\n', {
          'WWW-Authenticate': 'Bearer realm="cloud-bridge health"',
        });
        return true;
      }
    }
    if (url.pathname === '/metrics') {
      const m = await renderMetrics(scrape);
      send(res, 200, m.contentType, m.body);
      return true;
    }
    const r = await report();
    if (url.pathname === '/health.json') {
      send(res, 200, 'application/json', JSON.stringify(r, null, 2));
      return true;
    }
    const refresh = Math.min(300, Math.max(2, Number(url.searchParams.get('refresh')) || 10));
    send(res, 200, 'text/html; charset=utf-8', healthPage(r, refresh), {
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    return true;
  };
}
