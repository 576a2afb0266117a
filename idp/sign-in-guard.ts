import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SsoRequestError } from './authn-request';

/** What the sign-in form carries from the SSO request to the POST, sealed so the browser cannot alter it. */
export interface PendingSignIn {
  requestId?: string;
  serviceName?: string;
  expiresAt: number;
}

const FORM_LIFETIME_MS = 10 * 60_000;
export const CSRF_COOKIE = 'bridge_sso_csrf';

/**
 * Sealing of the pending request and CSRF tokens bound to a per-browser cookie (synchronizer token): a page
 * on another site can neither read the cookie nor forge the token, so it cannot post a sign-in — not even
 * with credentials of its own (login CSRF). Keys are derived from BRIDGE_SECRET_KEY, one per purpose.
 */
export function createFormSealer(secretKey: string | undefined) {
  if (!secretKey) throw new Error('BRIDGE_SECRET_KEY is required for the sign-in page');
  const key = (purpose: string) => createHash('sha256').update(`cloud-bridge ${purpose}\0${secretKey}`).digest();
  const formKey = key('sso-form');
  const csrfKey = key('sso-csrf');
  const mac = (k: Buffer, data: string) => createHmac('sha256', k).update(data).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  return {
    seal(p: Omit<PendingSignIn, 'expiresAt'>): string {
      const body = Buffer.from(JSON.stringify({ ...p, expiresAt: Date.now() + FORM_LIFETIME_MS })).toString('base64url');
      return `${body}.${mac(formKey, body)}`;
    },
    open(sealed: string | null): PendingSignIn {
      const [body, tag] = (sealed ?? '').split('.');
      if (!body || !tag || !same(tag, mac(formKey, body))) throw new SsoRequestError(400, 'The sign-in form was altered or is incomplete: start the sign-in again.');
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PendingSignIn;
      if (p.expiresAt < Date.now()) throw new SsoRequestError(400, 'The sign-in form has expired: start the sign-in again.');
      return p;
    },
    newCookie: () => randomBytes(24).toString('base64url'),
    csrfToken: (cookie: string, sealed: string) => mac(csrfKey, `${cookie}\0${sealed}`),
    checkCsrf(cookie: string | undefined, sealed: string, token: string | null): void {
      if (!cookie || !token || !same(token, mac(csrfKey, `${cookie}\0${sealed}`))) {
        throw new SsoRequestError(403, 'The sign-in was not posted from the bridge’s own page (CSRF check failed): start the sign-in again.');
      }
    },
  };
}

export type FormSealer = ReturnType<typeof createFormSealer>;

export interface ThrottleLimits {
  perUser: number;
  perAddress: number;
  windowSeconds: number;
}

export const defaultThrottle: ThrottleLimits = { perUser: 5, perAddress: 20, windowSeconds: 900 };

/**
 * Failed sign-ins counted per CIC user and per client address in Redis (shared by every bridge process).
 * Over the limit the form answers 429 without asking CIC, so the bridge is no password-guessing oracle;
 * CIC's own lockout policy still applies underneath.
 */
export function createSignInThrottle(redis: Redis, prefix: string, limits: ThrottleLimits = defaultThrottle) {
  const keys = (user: string, address: string) => [`${prefix}:sso-fail:user:${user.toLowerCase()}`, `${prefix}:sso-fail:addr:${address}`];
  return {
    async check(user: string, address: string): Promise<void> {
      const [u, a] = keys(user, address);
      const [nu, na] = (await redis.mget(u, a)).map((v) => Number(v ?? 0));
      if (nu >= limits.perUser || na >= limits.perAddress) {
        const ttl = Math.max(1, await redis.ttl(nu >= limits.perUser ? u : a));
        throw Object.assign(new SsoRequestError(429, `Too many failed sign-ins: try again in ${Math.ceil(ttl / 60)} minute(s).`), { retryAfterSeconds: ttl });
      }
    },
    async failed(user: string, address: string): Promise<void> {
      const m = redis.multi();
      for (const k of keys(user, address)) m.incr(k).expire(k, limits.windowSeconds, 'NX');
      await m.exec();
    },
    async succeeded(user: string): Promise<void> {
      await redis.del(keys(user, '')[0]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
