import type { Db } from '../db/database';
import { verifyCredentials } from '../clients/cic';
import { createLogger } from '../lib/logger';
import { SsoRequestError } from './authn-request';
import type { SignInThrottle } from './sign-in-guard';

const log = createLogger('idp');

export interface SignInAttempt {
  userId: string;
  password: string;
  address: string;
}

/** Why a CIC user who signed in correctly still gets no assertion, in words for that user. */
function unlinkedReason(link: { state: string; reason: string | null; active: boolean; genesys_id: string | null; email: string | null } | undefined): string | undefined {
  if (!link) return 'Your CIC user is not known to the bridge yet (the directory sync has not reached it). Try again in a few minutes.';
  if (link.state === 'not-synced') return `Your CIC user has no Genesys Cloud account: not synced (${link.reason ?? 'unknown reason'}). Ask an administrator to fix it in Interaction Administrator.`;
  if (link.state === 'conflict') return `Your CIC user cannot be linked to a Genesys Cloud account: ${link.reason ?? 'conflict'}. Ask an administrator.`;
  if (link.state === 'deactivated' || !link.active) return 'Your Genesys Cloud account is deactivated because the CIC user was removed.';
  if (link.state !== 'synced' || !link.genesys_id || !link.email) return `Your Genesys Cloud account is not ready: ${link.reason ?? link.state}.`;
  return undefined;
}

/**
 * Checks the CIC user name and password against CIC itself (a session opened and closed at once; nothing
 * kept), within the per-user and per-address throttle, and returns the linked user's business email.
 */
export async function signIn(deps: { db: Db; cicServers: string[]; throttle: SignInThrottle }, a: SignInAttempt): Promise<{ cicId: string; email: string }> {
  const userId = a.userId.trim();
  if (!userId || !a.password) throw new SsoRequestError(400, 'Enter your CIC user name and password.');
  await deps.throttle.check(userId, a.address);
  const checked = await verifyCredentials({ servers: deps.cicServers, userId, password: a.password, applicationName: 'cloud-bridge sign-in', timeoutMs: 8000 });
  if (!checked.ok) {
    if (checked.reason === 'server-unavailable') {
      log.warn({ reason: checked.reason }, 'sign-in: CIC unreachable');
      throw new SsoRequestError(503, 'PureConnect cannot be reached to check your password right now. Try again shortly.');
    }
    await deps.throttle.failed(userId, a.address);
    log.info({ outcome: 'refused' }, 'sign-in refused: wrong CIC user name or password');
    throw new SsoRequestError(401, 'The CIC user name or password is wrong.');
  }
  await deps.throttle.succeeded(userId);
  const link = await deps.db.selectFrom('user_links').select(['state', 'reason', 'active', 'genesys_id', 'email']).where('cic_id', '=', checked.userId).executeTakeFirst();
  const why = unlinkedReason(link);
  if (why) {
    log.info({ cicUser: checked.userId, outcome: 'not-linked', state: link?.state ?? 'unknown' }, 'sign-in: CIC user has no usable link');
    throw new SsoRequestError(403, why);
  }
  log.info({ cicUser: checked.userId, outcome: 'signed-in' }, 'sign-in: assertion issued');
  return { cicId: checked.userId, email: link!.email! };
}
