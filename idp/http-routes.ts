import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Db } from '../db/database';
import { createLogger } from '../lib/logger';
import type { PairingContext } from '../activities/pairing-context';
import { checkRelayState, readAuthnRequest, SsoRequestError } from './authn-request';
import type { IdentityProvider } from './identity-provider';
import type { Keyring } from './keyring';
import { idpMetadata } from './metadata';
import { autoPostPage, messagePage, signInPage } from './pages';
import { signIn } from './sign-in';
import { CSRF_COOKIE, createFormSealer, createSignInThrottle, type ThrottleLimits } from './sign-in-guard';
import { brokerToken } from './token-broker';

const log = createLogger('idp');
const MAX_FORM_BYTES = 32 * 1024;

export interface IdpHttpDeps {
  db: Db;
  redis: Redis;
  pairingContext: PairingContext;
  identityProvider: IdentityProvider;
  keyring: Keyring;
  secretKey: string | undefined;
  queuePrefix: string;
  throttle?: ThrottleLimits;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new SsoRequestError(413, `The request body is larger than ${limit} bytes.`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function sendHtml(res: ServerResponse, status: number, html: string, opts: { nonce?: string; anyFormAction?: boolean; headers?: Record<string, string> } = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'${opts.anyFormAction ? '' : "; form-action 'self'"}${opts.nonce ? `; script-src 'nonce-${opts.nonce}'` : ''}`,
    ...opts.headers,
  });
  res.end(html);
}

/**
 * The IdP's HTTP endpoints, served by the bridge's one HTTP server: metadata, SSO (HTTP-Redirect and
 * HTTP-POST), IdP-initiated sign-in, the sign-in form, and the token broker. Returns false for other paths.
 */
export function createIdpHttpHandler(deps: IdpHttpDeps) {
  // Made on first use, so a worker without BRIDGE_SECRET_KEY still starts (and serves /livez).
  let formSealer: ReturnType<typeof createFormSealer> | undefined;
  const sealer = {
    get: () => (formSealer ??= createFormSealer(deps.secretKey)),
  };
  const throttle = createSignInThrottle(deps.redis, deps.queuePrefix, deps.throttle);

  async function showSignIn(req: IncomingMessage, res: ServerResponse, pending: { requestId?: string; serviceName?: string }) {
    const s = await deps.identityProvider.settings();
    const sealed = sealer.get().seal(pending);
    const csrfCookie = cookie(req, CSRF_COOKIE) ?? sealer.get().newCookie();
    sendHtml(res, 200, signInPage({ org: s.orgShortName, pending: sealed, csrf: sealer.get().csrfToken(csrfCookie, sealed) }), {
      headers: { 'Set-Cookie': `${CSRF_COOKIE}=${csrfCookie}; Path=/saml; HttpOnly; SameSite=Strict${s.ssoUrl.startsWith('https:') ? '; Secure' : ''}` },
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const key = `${req.method} ${url.pathname}`;
    switch (key) {
      case 'GET /saml/metadata': {
        const s = await deps.identityProvider.settings();
        const xml = idpMetadata(s, (await deps.keyring.published()).map((k) => k.certificatePem));
        res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml', 'Cache-Control': 'max-age=300' });
        res.end(xml);
        return true;
      }
      case 'GET /saml/sso':
      case 'POST /saml/sso': {
        const form = req.method === 'POST' ? new URLSearchParams(await readBody(req, MAX_FORM_BYTES)) : url.searchParams;
        const encoded = form.get('SAMLRequest');
        if (!encoded) throw new SsoRequestError(400, 'SAMLRequest is missing: start the sign-in from Genesys Cloud.');
        const s = await deps.identityProvider.settings();
        const serviceName = checkRelayState(form.get('RelayState'), s);
        const request = readAuthnRequest(encoded, req.method === 'GET' ? 'redirect' : 'post', s);
        await showSignIn(req, res, { requestId: request.id, serviceName });
        return true;
      }
      case 'GET /saml/login': {
        const s = await deps.identityProvider.settings();
        await showSignIn(req, res, { serviceName: checkRelayState(url.searchParams.get('RelayState'), s) });
        return true;
      }
      case 'POST /saml/signin': {
        const form = new URLSearchParams(await readBody(req, MAX_FORM_BYTES));
        const sealed = form.get('pending') ?? '';
        sealer.get().checkCsrf(cookie(req, CSRF_COOKIE), sealed, form.get('csrf'));
        const pending = sealer.get().open(sealed);
        const p = await deps.pairingContext.pairing();
        const s = await deps.identityProvider.settings();
        try {
          const user = await signIn(
            { db: deps.db, cicServers: p.cicServers, throttle },
            { userId: form.get('username') ?? '', password: form.get('password') ?? '', address: req.socket.remoteAddress ?? 'unknown' },
          );
          const response = await deps.identityProvider.responseFor(user, { inResponseTo: pending.requestId, serviceName: pending.serviceName });
          const nonce = randomBytes(16).toString('base64');
          sendHtml(res, 200, autoPostPage({ acsUrl: s.acsUrl, samlResponse: response.base64, relayState: pending.serviceName, nonce }), {
            nonce,
            // Browsers apply form-action to the ACS's own redirects too (to ServiceName), and the action here
            // is the registered ACS, never from the request, so this page does not restrict it.
            anyFormAction: true,
          });
        } catch (err) {
          // Wrong password, empty fields and throttling show the form again; an unlinked user gets the reason alone.
          if (!(err instanceof SsoRequestError) || err.status === 403) throw err;
          const csrf = sealer.get().csrfToken(cookie(req, CSRF_COOKIE)!, sealed);
          const retry = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
          sendHtml(res, err.status, signInPage({ org: s.orgShortName, pending: sealed, csrf, error: err.message, userId: form.get('username') ?? '' }), {
            headers: retry ? { 'Retry-After': String(retry) } : {},
          });
        }
        return true;
      }
      case 'POST /sso/token': {
        const body = await readBody(req, 4096);
        const result = await brokerToken(deps, body);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
        res.end(JSON.stringify(result));
        return true;
      }
      default:
        return false;
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://bridge');
    try {
      return await route(req, res, url);
    } catch (caught) {
      const notReady = ['PairingMissing', 'NoSigningKeyError'].includes((caught as { type?: string; name?: string }).type ?? (caught as Error).name);
      const err = notReady ? new SsoRequestError(503, 'Single sign-on is not available: this bridge is not paired with an organization yet.') : caught;
      const known = err instanceof SsoRequestError;
      if (!known) log.error({ path: url.pathname, err: (err as Error).message }, 'IdP request failed');
      const status = known ? err.status : 500;
      const message = known ? err.message : 'The bridge could not complete the sign-in; the error is in its log.';
      if (res.headersSent) return true;
      if (url.pathname === '/sso/token') {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify({ error: status >= 500 ? 'server_error' : 'refused', reason: message }));
      } else sendHtml(res, status, messagePage('Sign-in refused', message));
      return true;
    }
  };
}
