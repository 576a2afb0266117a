import type { Redis } from 'ioredis';
import { createHttpClient, newHttpStats, type HttpClient, type HttpStats } from './http';
import { clientCredentialsProvider, type ClientCredentialsProvider } from './oauth';
import { createPresenceClient, type PresenceClient } from './presence-client';
import { createRequestBudget, type Priority, type RequestBudget } from './request-budget';
import { createScimClient, type ScimClient } from './scim-client';

export * from './errors';
export { retryAfterMs } from './classify';
export * from './http';
export * from './oauth';
export * from './request-budget';
export {
  createScimClient,
  NOT_MODIFIED,
  type ScimClient,
  type ScimClientOptions,
  type CallOptions,
  type FindOptions,
  type ListOptions,
  type PageOptions,
} from './scim-client';
export * from './scim-types';
export * from './presence-client';

export interface GenesysClientOptions {
  /** `https://api.<region domain>` */
  apiUrl: string;
  /** `https://login.<region domain>` */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** The connection the request budget lives on; shared with the caller, who closes it. */
  redis: Redis;
  /** Per deployment (or per test). */
  budgetPrefix: string;
  /** Default 300 (Genesys's client-credentials default); 0 = unlimited. */
  rateLimitPerMinute?: number;
  /** Tests shorten the budget window to see several windows in seconds; default 60 000. */
  budgetWindowMs?: number;
  timeoutMs?: number;
  maxRetries?: number;
  presenceBulkMax?: number;
}

export interface Organization {
  id: string;
  name: string;
  thirdPartyOrgName?: string;
  [field: string]: unknown;
}

export interface GenesysClient {
  scim: ScimClient;
  presence: PresenceClient;
  http: HttpClient;
  budget: RequestBudget;
  tokens: ClientCredentialsProvider;
  stats: HttpStats;
  /** `GET /api/v2/organizations/me`: proves the credentials and names the org (short name included). */
  fetchOrganization(priority?: Priority): Promise<Organization>;
}

/** Everything that talks to one Genesys Cloud organization, over one token cache and one shared budget. */
export function createGenesysClient(opts: GenesysClientOptions): GenesysClient {
  const stats = newHttpStats();
  const tokens = clientCredentialsProvider({
    loginUrl: opts.loginUrl,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    timeoutMs: opts.timeoutMs,
  });
  const budget = createRequestBudget({
    redis: opts.redis,
    prefix: opts.budgetPrefix,
    clientId: opts.clientId,
    limit: opts.rateLimitPerMinute ?? 300,
    windowMs: opts.budgetWindowMs,
  });
  const http = createHttpClient({
    baseUrl: opts.apiUrl,
    tokens,
    budget,
    timeoutMs: opts.timeoutMs,
    maxRetries: opts.maxRetries,
    stats,
  });
  return {
    scim: createScimClient({ http }),
    presence: createPresenceClient({ http, bulkMax: opts.presenceBulkMax }),
    http,
    budget,
    tokens,
    stats,
    async fetchOrganization(priority = 'normal') {
      return (await http.request<Organization>({ method: 'GET', path: '/api/v2/organizations/me', priority }))
        .body;
    },
  };
}
