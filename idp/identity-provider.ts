import type { Db } from '../db/database';
import type { PairingContext } from '../activities/pairing-context';
import { fetchTokenUser, type UserToken } from '../clients/genesys/saml-bearer';
import { samlResponse, signedAssertion } from './assertion';
import type { Keyring } from './keyring';
import { idpSettings, type IdpSettings } from './sp-settings';

/**
 * The bridge as identity provider, shared by the HTTP server (sign-in, token broker) and the account-linking
 * activities: it knows the org's settings from the pairing and the bridge's public URL, and mints signed
 * assertions for a linked user's email. Nothing minted here is stored or logged.
 */
export interface IdentityProvider {
  settings(): Promise<IdpSettings>;
  /** A base64 SAMLResponse for the org's ACS (Web Browser SSO). */
  responseFor(user: { email: string }, opts: { inResponseTo?: string; serviceName?: string }): Promise<{ assertionId: string; base64: string }>;
  /** A user token by the SAML2-bearer grant, and the cloud user it really belongs to. */
  tokenFor(user: { email: string }, signal?: AbortSignal): Promise<UserToken & { userId: string }>;
}

export interface IdpDeps {
  db: Db;
  pairingContext: PairingContext;
  keyring: Keyring;
  /** `BRIDGE_PUBLIC_URL`, or the HTTP server's own address once it listens. */
  publicUrl(): string;
}

export function createIdentityProvider(deps: IdpDeps): IdentityProvider {
  const settings = async () => idpSettings(await deps.pairingContext.pairing(), deps.publicUrl());
  return {
    settings,
    async responseFor(user, opts) {
      const s = await settings();
      return samlResponse(
        { issuer: s.issuer, email: user.email, orgShortName: s.orgShortName, audience: s.audience, recipient: s.acsUrl, authnStatement: true, ...opts },
        await deps.keyring.signingKey(),
      );
    },
    async tokenFor(user, signal) {
      const s = await settings();
      const p = await deps.pairingContext.pairing();
      // RFC 7522 §3: the token endpoint is the recipient of a bearer-grant assertion.
      const assertion = signedAssertion(
        { issuer: s.issuer, email: user.email, orgShortName: s.orgShortName, audience: s.audience, recipient: s.tokenUrl, authnStatement: false },
        await deps.keyring.signingKey(),
      );
      const token = await deps.pairingContext.exchangeAssertion(Buffer.from(assertion.xml, 'utf8').toString('base64'), signal);
      const me = await fetchTokenUser(p.apiUrl, token.accessToken, { signal });
      return { ...token, userId: me.id };
    },
  };
}
