import { z } from 'zod';
import { IcwsSession, AuthenticationFailedError } from '../clients/cic';
import { createLogger } from '../lib/logger';
import { SamlGrantRefusedError } from '../clients/genesys/saml-bearer';
import { SsoRequestError } from './authn-request';
import type { IdpHttpDeps } from './http-routes';

const log = createLogger('token-broker');

const brokerRequest = z.object({
  authToken: z.string().min(1).max(512),
  authTokenSeed: z.string().min(1).max(256),
}).strict();

/**
 * For an agent already signed in to CIC: the caller hands over a one-time ICWS auth token made by its own
 * session (`POST /icws/{sessionId}/connection/unique-auth-token`). The bridge redeems it with the paired CIC
 * servers, so CIC, not the caller, says who the user is; the session is closed at once. The linked user's
 * Genesys Cloud token comes from the SAML2-bearer exchange and is passed through, never stored.
 */
export async function brokerToken(deps: Pick<IdpHttpDeps, 'db' | 'pairingContext' | 'identityProvider'>, rawBody: string) {
  let input: z.infer<typeof brokerRequest>;
  try {
    input = brokerRequest.parse(JSON.parse(rawBody));
  } catch {
    throw new SsoRequestError(400, 'send JSON {"authToken", "authTokenSeed"} from POST /icws/{sessionId}/connection/unique-auth-token');
  }
  const p = await deps.pairingContext.pairing();
  let session: IcwsSession;
  try {
    session = await IcwsSession.connect({ servers: p.cicServers, userId: '', password: '', authToken: { token: input.authToken, seed: input.authTokenSeed }, applicationName: 'cloud-bridge token broker', timeoutMs: 8000 });
  } catch (err) {
    if (err instanceof AuthenticationFailedError) throw new SsoRequestError(401, 'CIC did not accept the auth token (unknown, used, expired, or a different seed).');
    throw new SsoRequestError(503, 'PureConnect cannot be reached to check the session right now.');
  }
  const cicId = session.userId;
  await session.close();
  const link = await deps.db.selectFrom('user_links').select(['state', 'active', 'genesys_id', 'email']).where('cic_id', '=', cicId).executeTakeFirst();
  if (!link || link.state !== 'synced' || !link.active || !link.genesys_id || !link.email) {
    throw new SsoRequestError(403, `CIC user ${cicId} is not linked to an active Genesys Cloud user (${link ? link.state : 'not synced yet'}).`);
  }
  let token;
  try {
    token = await deps.identityProvider.tokenFor({ email: link.email });
  } catch (err) {
    if (err instanceof SamlGrantRefusedError) throw new SsoRequestError(403, err.message);
    log.warn({ cicUser: cicId, err: (err as Error).message }, 'token broker: the organization did not answer');
    throw new SsoRequestError(503, 'Genesys Cloud did not answer the token request; try again shortly.');
  }
  if (token.userId !== link.genesys_id) throw new SsoRequestError(403, `the organization issued a token for another user than the one linked to ${cicId}; nothing is returned.`);
  log.info({ cicUser: cicId, outcome: 'token-issued' }, 'token broker: user token issued');
  return { access_token: token.accessToken, token_type: 'bearer', expires_in: token.expiresIn, user_id: token.userId };
}
