import { X509Certificate } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db/database';
import { listIdpKeys, promoteNextKey } from '../db/idp-keys';
import { linksToVerify, recordProof } from '../db/sso-links';
import type { IdentityProvider } from '../idp/identity-provider';
import type { PairingContext } from './pairing-context';

export interface AccountLinkingDeps {
  db: Db;
  pairingContext: PairingContext;
  identityProvider: IdentityProvider;
}

const PROVIDER_PATH = '/api/v2/identityproviders/cic';
const PAGE = 50;

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/**
 * Activities of the account-linking workflow: register the bridge as the org's PureConnect identity provider
 * with every published certificate, check what the org holds, switch keys, and prove links page by page.
 */
export function createAccountLinkingActivities(deps: AccountLinkingDeps) {
  const { db, pairingContext: ctx, identityProvider: idp } = deps;

  async function expected() {
    const s = await idp.settings();
    // Read fresh, not through the keyring's cache: a rotation must register the key staged a moment ago.
    const certs = (await listIdpKeys(db)).map((k) => k.certificatePem);
    return { s, certs };
  }

  return {
    /** PUT is create-or-replace, so a retry or a re-registration after a rotation is the same call. */
    async registerIdentityProvider(_input: { orgShortName: string }): Promise<{ certificates: number }> {
      const { s, certs } = await expected();
      const genesys = await ctx.genesys();
      await genesys.http.request({
        method: 'PUT',
        path: PROVIDER_PATH,
        priority: 'high',
        idempotent: true,
        signal: Context.current().cancellationSignal,
        body: {
          name: 'PureConnect (cloud-bridge)',
          disabled: false,
          issuerURI: s.issuer,
          ssoTargetURI: s.ssoUrl,
          relyingPartyIdentifier: s.audience,
          nameIdentifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
          certificate: certs[certs.length - 1],
          certificates: certs,
        },
      });
      return { certificates: certs.length };
    },

    /** Reads the registration back: the issuer, target and audience are ours and every published certificate is there. */
    async verifyIdentityProvider(_input: { orgShortName: string }): Promise<{ fingerprints: string[] }> {
      const { s, certs } = await expected();
      const genesys = await ctx.genesys();
      const { body } = await genesys.http.request<any>({ method: 'GET', path: PROVIDER_PATH, priority: 'high', signal: Context.current().cancellationSignal });
      const held = new Set<string>((body.certificates ?? [body.certificate]).filter(Boolean).map(fingerprint));
      const problems = [
        body.issuerURI !== s.issuer && `issuer is ${body.issuerURI}`,
        body.ssoTargetURI !== s.ssoUrl && `SSO target is ${body.ssoTargetURI}`,
        body.relyingPartyIdentifier !== s.audience && `audience is ${body.relyingPartyIdentifier}`,
        body.disabled && 'the provider is disabled',
        ...certs.filter((c) => !held.has(fingerprint(c))).map((c) => `certificate ${fingerprint(c).slice(0, 23)} is missing`),
      ].filter(Boolean);
      // Retryable: a registration read back wrong is most likely a concurrent edit; the next attempt re-registers.
      if (problems.length) throw ApplicationFailure.retryable(`the org's PureConnect identity provider is not ours: ${problems.join('; ')}`, 'IdpRegistrationMismatch');
      return { fingerprints: [...held] };
    },

    async promoteNextSigningKey(_input: { orgShortName: string }): Promise<{ switched: boolean }> {
      return { switched: await promoteNextKey(db) };
    },

    /**
     * Proves one page of links: for each user, an assertion exchanged for a token at the org, and that token
     * must belong to the linked cloud user. A user whose proof fails is recorded Failed with the reason (and
     * tried again later); only cancellation or a missing pairing stops the page.
     */
    async proveLinksPage(input: { orgShortName: string; after: string; all: boolean }): Promise<{ after: string; done: boolean; verified: number; failed: number }> {
      // Nothing is recorded for a pairing that is gone or being unpaired: the workflow ends instead.
      await ctx.pairing({ fresh: true });
      const activity = Context.current();
      let cursor = (activity.info.heartbeatDetails as { after?: string } | undefined)?.after ?? input.after;
      const beat = setInterval(() => activity.heartbeat({ after: cursor }), 2000);
      let verified = 0;
      let failed = 0;
      try {
        const links = await linksToVerify(db, { after: cursor, limit: PAGE, all: input.all });
        for (const link of links) {
          if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
          let outcome: { state: 'verified' | 'failed'; reason?: string };
          try {
            const token = await idp.tokenFor({ email: link.email }, activity.cancellationSignal);
            outcome =
              token.userId === link.genesysId
                ? { state: 'verified' }
                : { state: 'failed', reason: `the token for ${link.email} belongs to cloud user ${token.userId}, not the linked ${link.genesysId}` };
          } catch (err) {
            if (activity.cancellationSignal.aborted) throw err;
            if (err instanceof ApplicationFailure) throw err;
            outcome = { state: 'failed', reason: (err as Error).message };
          }
          await recordProof(db, link.cicId, link.genesysId, outcome);
          if (outcome.state === 'verified') verified++;
          else failed++;
          cursor = link.cicId;
        }
        return { after: cursor, done: links.length < PAGE, verified, failed };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
