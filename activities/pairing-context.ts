import { ApplicationFailure } from '@temporalio/activity';
import type { Redis } from 'ioredis';
import type { Db } from '../db/database';
import { getPairing, type StoredPairing } from '../db/pairing';
import { SecretBox } from '../lib/secrets';
import { createGenesysClient, type GenesysClient } from '../clients/genesys';
import { exchangeSamlBearer, type UserToken } from '../clients/genesys/saml-bearer';
import { IcwsSession, SessionEndedError } from '../clients/cic';

export const BRIDGE_APPLICATION_NAME = 'cloud-bridge';

/** The failure type of an activity that found no pairing: terminal, the workflow ends (see workflows). */
export const PAIRING_MISSING = 'PairingMissing';

/**
 * What activities need to reach both far sides for the current pairing: the pairing itself, a Genesys
 * client (one per process, so its token and budget are shared) and one ICWS session, reopened when CIC ends
 * it. Secrets are opened here, in memory, and never leave this module.
 */
export interface PairingContext {
  /**
   * The current pairing (cached for a few seconds), or a non-retryable `PairingMissing` failure when there is
   * none or it is being unpaired. `fresh` reads it now: an activity about to write sync state asks so, so a
   * workflow still running (or started by a late change) after `bridge unpair` began writes nothing and ends.
   */
  pairing(opts?: { fresh?: boolean }): Promise<StoredPairing>;
  genesys(): Promise<GenesysClient>;
  /** Runs `fn` with a live ICWS session, reconnecting once if CIC ended the cached one. */
  withCic<T>(fn: (session: IcwsSession) => Promise<T>): Promise<T>;
  /** SAML2-bearer grant with the pairing's OAuth client, whose secret stays in here. */
  exchangeAssertion(assertionBase64: string, signal?: AbortSignal): Promise<UserToken>;
  close(): Promise<void>;
}

export function createPairingContext(deps: {
  db: Db;
  redis: Redis;
  secretKey: string | undefined;
  budgetPrefix: string;
}): PairingContext {
  let cachedPairing: { value: StoredPairing; at: number } | undefined;
  let genesys: { key: string; client: GenesysClient } | undefined;
  let cic: { key: string; session: Promise<IcwsSession> } | undefined;

  async function pairing(opts: { fresh?: boolean } = {}): Promise<StoredPairing> {
    if (!opts.fresh && cachedPairing && Date.now() - cachedPairing.at < 5000) return cachedPairing.value;
    const value = await getPairing(deps.db);
    if (!value) {
      cachedPairing = undefined;
      throw ApplicationFailure.nonRetryable('this bridge is not paired (or is being unpaired): run `bridge pair` first', PAIRING_MISSING);
    }
    cachedPairing = { value, at: Date.now() };
    return value;
  }

  function secrets() {
    return new SecretBox(deps.secretKey);
  }

  async function cicSession(fresh: boolean): Promise<IcwsSession> {
    const p = await pairing();
    const key = `${p.cicServers.join(',')}|${p.cicUserId}|${p.cicPasswordSealed}`;
    if (fresh || !cic || cic.key !== key) {
      const old = cic;
      cic = {
        key,
        session: IcwsSession.connect({
          servers: p.cicServers,
          userId: p.cicUserId,
          password: secrets().open(p.cicPasswordSealed),
          applicationName: BRIDGE_APPLICATION_NAME,
        }),
      };
      cic.session.catch(() => (cic = undefined));
      old?.session.then((s) => s.close()).catch(() => {});
    }
    return cic.session;
  }

  return {
    pairing,
    async genesys() {
      const p = await pairing();
      const key = `${p.apiUrl}|${p.clientId}|${p.clientSecretSealed}|${p.options.rateLimitPerMinute}`;
      if (!genesys || genesys.key !== key) {
        genesys = {
          key,
          client: createGenesysClient({
            apiUrl: p.apiUrl,
            loginUrl: p.loginUrl,
            clientId: p.clientId,
            clientSecret: secrets().open(p.clientSecretSealed),
            redis: deps.redis,
            budgetPrefix: deps.budgetPrefix,
            rateLimitPerMinute: p.options.rateLimitPerMinute,
          }),
        };
      }
      return genesys.client;
    },
    async exchangeAssertion(assertion, signal) {
      const p = await pairing();
      return exchangeSamlBearer({
        loginUrl: p.loginUrl,
        clientId: p.clientId,
        clientSecret: secrets().open(p.clientSecretSealed),
        orgName: p.orgShortName,
        assertion,
        signal,
      });
    },
    async withCic(fn) {
      try {
        return await fn(await cicSession(false));
      } catch (err) {
        if (!(err instanceof SessionEndedError)) throw err;
        return fn(await cicSession(true));
      }
    },
    async close() {
      await cic?.session.then((s) => s.close()).catch(() => {});
      cic = undefined;
    },
  };
}
