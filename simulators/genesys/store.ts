import { randomBytes, randomUUID } from 'node:crypto';
import { FaultTable } from './faults';
import { RateLimiter } from './rate-limit';
import { RequestLog } from './request-log';
import { UserDirectory } from './user-directory';

export interface SimSettings {
  rateLimitPerMinute: number;
  /** What a rate-limit window is kept per: each token (Genesys default) or each OAuth client. */
  rateLimitKey: 'token' | 'client';
  tokenLifetimeSeconds: number;
  maxBodyBytes: number;
  defaultPageSize: number;
  maxPageSize: number;
  presenceBulkMax: number;
  conduitMaxEventAgeSeconds: number;
  conduitMaxEventsPerBatch: number;
  samlClockSkewSeconds: number;
}

export interface OAuthClient {
  id: string;
  secret: string;
  name: string;
  grantTypes: ('client_credentials' | 'saml2-bearer')[];
}

export interface TokenInfo {
  token: string;
  clientId: string;
  /** Present for user-context tokens (SAML2-bearer grant). */
  userId?: string;
  issuedAt: number;
  expiresAt: number;
}

export interface IdentityProvider {
  type: 'generic' | 'cic';
  name: string;
  disabled: boolean;
  issuerURI: string;
  ssoTargetURI?: string;
  sloURI?: string;
  relyingPartyIdentifier: string;
  certificates: string[];
  nameIdentifierFormat?: string;
  modifiedDate: string;
}

export interface LoginRecord {
  id: string;
  kind: 'acs' | 'saml2-bearer';
  at: string;
  userId: string;
  userName: string;
  issuer: string;
  assertionId: string;
  provider: 'generic' | 'cic';
  serviceName?: string;
  relayState?: string;
  clientId?: string;
}

export interface PresenceEntry {
  definitionId: string;
  message: string;
  modifiedDate: string;
}

export interface UserPresenceState {
  bySource: Map<string, PresenceEntry>;
  primarySourceId: string;
  updates: number;
}

export interface PresenceSource {
  id: string;
  name: string;
  description?: string;
  deactivated: boolean;
}

export interface StoredEvent {
  eventId: string;
  interactionId: string;
  eventType: string;
  occurredAt: string;
  attributes: Record<string, unknown>;
  batchId: string;
  receivedAt: string;
  duplicatesReceived: number;
}

export interface StoredBatch {
  batchId: string;
  receivedAt: string;
  idempotencyKey?: string;
  created: number;
  duplicates: number;
  rejected: number;
}

export interface IdempotentResponse {
  bodyHash: string;
  status: number;
  body: unknown;
}

export const PURECLOUD_SOURCE_ID = 'PURECLOUD';

/**
 * Everything the simulated organization holds. Tests in the same process read and seed it directly;
 * over HTTP the admin API does the same. `reset()` empties the data but keeps clients, tokens and settings.
 */
export class SimState {
  readonly org: { id: string; name: string; thirdPartyOrgName: string };
  readonly clients = new Map<string, OAuthClient>();
  readonly tokens = new Map<string, TokenInfo>();
  readonly rateLimiter: RateLimiter;
  readonly faults = new FaultTable();
  readonly requestLog = new RequestLog();
  directory = new UserDirectory();
  presence = new Map<string, UserPresenceState>();
  presenceSources = new Map<string, PresenceSource>();
  conduitEvents = new Map<string, StoredEvent>();
  conduitBatches: StoredBatch[] = [];
  conduitDuplicatesReceived = 0;
  idempotency = new Map<string, IdempotentResponse>();
  identityProviders = new Map<'generic' | 'cic', IdentityProvider>();
  logins: LoginRecord[] = [];
  usedAssertionIds = new Map<string, number>();
  /** AuthnRequests sent by the SP-initiated login page, by ID, until answered or expired. */
  authnRequests = new Map<string, { provider: 'generic' | 'cic'; expiresAt: number }>();

  constructor(
    readonly settings: SimSettings,
    orgShortName: string,
  ) {
    this.org = { id: randomUUID(), name: `${orgShortName} (simulated)`, thirdPartyOrgName: orgShortName };
    this.rateLimiter = new RateLimiter(settings.rateLimitPerMinute);
    this.seedGroups();
  }

  private seedGroups(): void {
    this.directory.createGroup('Agents');
    this.directory.createGroup('Supervisors');
  }

  reset(): void {
    this.directory = new UserDirectory();
    this.seedGroups();
    this.presence = new Map();
    this.presenceSources = new Map();
    this.conduitEvents = new Map();
    this.conduitBatches = [];
    this.conduitDuplicatesReceived = 0;
    this.idempotency = new Map();
    this.identityProviders = new Map();
    this.logins = [];
    this.usedAssertionIds = new Map();
    this.authnRequests = new Map();
    this.requestLog.clear();
    this.faults.clear();
    this.rateLimiter.reset();
  }

  addClient(input: Partial<OAuthClient> = {}): OAuthClient {
    const client: OAuthClient = {
      id: input.id ?? randomUUID(),
      secret: input.secret ?? randomBytes(32).toString('base64url'),
      name: input.name ?? 'simulated client',
      grantTypes: input.grantTypes ?? ['client_credentials', 'saml2-bearer'],
    };
    this.clients.set(client.id, client);
    return client;
  }

  issueToken(clientId: string, userId?: string): TokenInfo {
    const now = Date.now();
    const info: TokenInfo = {
      token: randomBytes(48).toString('base64url'),
      clientId,
      userId,
      issuedAt: now,
      expiresAt: now + this.settings.tokenLifetimeSeconds * 1000,
    };
    this.tokens.set(info.token, info);
    return info;
  }

  /**
   * Deletes an OAuth client, as an admin deleting it in Genesys Cloud does: its tokens stop working at once
   * (401 on the API) and a token request with its credentials is refused (`invalid_client`).
   */
  removeClient(id: string): { removed: boolean; tokensRevoked: number } {
    const removed = this.clients.delete(id);
    let tokensRevoked = 0;
    for (const [token, info] of this.tokens) {
      if (info.clientId === id) {
        this.tokens.delete(token);
        tokensRevoked++;
      }
    }
    return { removed, tokensRevoked };
  }

  /** Makes tokens unusable at once, as if their lifetime had passed (all of them when none is named). */
  expireTokens(token?: string): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (token === undefined || t.token === token) {
        t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
        n++;
      }
    }
    return n;
  }

  setRateLimit(perMinute: number): void {
    this.settings.rateLimitPerMinute = perMinute;
    this.rateLimiter.setLimit(perMinute);
    this.rateLimiter.reset();
  }

  /** Remembers an assertion id until it expires; false when it was already used (replay). */
  claimAssertionId(id: string, expiresAtMs: number): boolean {
    const now = Date.now();
    if (this.usedAssertionIds.size > 10_000) {
      for (const [k, exp] of this.usedAssertionIds) if (exp < now) this.usedAssertionIds.delete(k);
    }
    const seen = this.usedAssertionIds.get(id);
    if (seen !== undefined && seen >= now) return false;
    this.usedAssertionIds.set(id, expiresAtMs);
    return true;
  }
}
