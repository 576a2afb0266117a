import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../../lib/logger';
import { addAdminRoutes } from './admin';
import type { SimUrls } from './http';
import { createHandler } from './pipeline';
import { Router } from './router';
import { apiRouter, loginRouter } from './routes';
import { SimState, type SimSettings } from './store';

export { SimState } from './store';
export type { IdentityProvider, LoginRecord, OAuthClient, SimSettings, TokenInfo } from './store';
export { SYSTEM_PRESENCE_DEFINITIONS } from './presence-definitions';
export { seedUser } from './admin';
export { registerIdentityProvider } from './identity-providers';

export interface GenesysSimulatorOptions {
  /** Port of the api listener; login and admin take the next two when it is non-zero. 0 = free ports. */
  port?: number;
  loginPort?: number;
  adminPort?: number;
  host?: string;
  rateLimitPerMinute?: number;
  rateLimitKey?: 'token' | 'client';
  tokenLifetimeSeconds?: number;
  orgShortName?: string;
  clients?: { id: string; secret: string }[];
  maxBodyBytes?: number;
  defaultPageSize?: number;
  maxPageSize?: number;
  presenceBulkMax?: number;
  conduitMaxEventAgeSeconds?: number;
  /** Defaults to the `genesys-sim` subsystem logger; requests are logged at debug only. */
  logger?: Logger;
}

export interface GenesysSimulator {
  urls: SimUrls;
  state: SimState;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts a simulated Genesys Cloud organization on three loopback listeners, each serving only its real
 * paths: the login host (`/oauth/token`, `/saml`), the API host (`/api/v2/...`) and the admin host
 * (`/__admin/...`). See README.md for the behaviour and the choices made where the real service is
 * undocumented.
 */
export async function startGenesysSimulator(opts: GenesysSimulatorOptions = {}): Promise<GenesysSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const settings: SimSettings = {
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 300,
    rateLimitKey: opts.rateLimitKey ?? 'token',
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 86_400,
    maxBodyBytes: opts.maxBodyBytes ?? 512_000,
    defaultPageSize: opts.defaultPageSize ?? 25,
    maxPageSize: opts.maxPageSize ?? 100,
    presenceBulkMax: opts.presenceBulkMax ?? 50,
    conduitMaxEventAgeSeconds: opts.conduitMaxEventAgeSeconds ?? 3600,
    conduitMaxEventsPerBatch: 1000,
    samlClockSkewSeconds: 10,
  };
  const orgShortName = opts.orgShortName ?? 'demo-org';
  const state = new SimState(settings, orgShortName);
  for (const c of opts.clients ?? [{ id: 'demo-client', secret: 'demo-secret' }]) state.addClient(c);
  const log = opts.logger ?? createLogger('genesys-sim', { org: orgShortName });
  const urls: SimUrls = { api: '', login: '', admin: '' };
  const admin = new Router();
  addAdminRoutes(admin);
  const servers = {
    api: createServer({ keepAliveTimeout: 65_000 }, createHandler('api', apiRouter(), state, urls, log)),
    login: createServer(
      { keepAliveTimeout: 65_000 },
      createHandler('login', loginRouter(), state, urls, log),
    ),
    admin: createServer(createHandler('admin', admin, state, urls, log)),
  };
  const base = opts.port ?? 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  try {
    for (const [kind, port] of [
      ['api', base],
      ['login', opts.loginPort ?? (base ? base + 1 : 0)],
      ['admin', opts.adminPort ?? (base ? base + 2 : 0)],
    ] as const) {
      urls[kind] = `http://${urlHost}:${await listen(servers[kind], port, host)}`;
    }
  } catch (err) {
    for (const s of Object.values(servers)) if (s.listening) s.close();
    throw err;
  }
  log.info({ urls }, 'Genesys Cloud simulator listening');
  return {
    urls,
    state,
    close: async () => {
      await Promise.all(
        Object.values(servers).map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
