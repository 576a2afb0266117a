import { listIdpKeys } from '../../db/idp-keys';
import { countSsoStates } from '../../db/sso-links';
import { describeKey } from '../../idp/keys';
import { linkingProgress } from '../sso';
import type { HealthProvider } from './providers';

/** A current signing key expiring within this many days is worth a rotation now. */
const KEY_WARN_DAYS = 30;

/** SSO: the IdP's signing keys and their expiry, its registration with the org, and link proofs. */
export const ssoRow: HealthProvider = {
  name: 'SSO',
  async check(ctx) {
    const p = await ctx.pairing();
    if (!p) return { status: 'amber', reason: 'not paired: run `bridge pair`', facts: {} };
    const keys = (await listIdpKeys(ctx.deps.db)).map(describeKey);
    const states = await countSsoStates(ctx.deps.db);
    const progress = await linkingProgress(ctx.deps, p.orgShortName).catch((err: Error) => ({ unavailable: err.message }));
    const current = keys.find((k) => k.status === 'current');
    const facts = {
      currentKey: current?.fingerprint256 ?? null,
      currentKeyExpires: current?.notAfter ?? null,
      currentKeyDaysLeft: current?.daysLeft ?? null,
      nextKey: keys.find((k) => k.status === 'next')?.fingerprint256 ?? null,
      registeredAt: 'unavailable' in progress ? null : (progress.registeredAt ?? null),
      registeredCertificates: 'unavailable' in progress ? null : (progress.registeredCertificates ?? null),
      linksVerified: states.verified ?? 0,
      linksFailed: states.failed ?? 0,
      linksNotProvedYet: states.linked ?? 0,
    };
    if (!current) return { status: 'red', reason: 'no current signing key: nobody can sign in (run `bridge idp rotate-key`)', facts };
    if (current.daysLeft < 0) return { status: 'red', reason: `the signing key expired on ${current.notAfter}: run \`bridge idp rotate-key\``, facts };
    if ('unavailable' in progress) return { status: 'amber', reason: `the account-linking workflow does not answer: ${progress.unavailable}`, facts };
    if (progress.state === 'failing') return { status: 'red', reason: `registering the IdP with ${p.orgShortName} fails: ${progress.lastError ?? 'unknown error'}`, facts };
    if (!progress.registeredAt) return { status: 'amber', reason: `the IdP is not registered with ${p.orgShortName} yet (${progress.state})`, facts };
    if (current.daysLeft < KEY_WARN_DAYS) return { status: 'amber', reason: `the signing key expires in ${current.daysLeft} days: run \`bridge idp rotate-key\``, facts };
    if (facts.linksFailed) return { status: 'amber', reason: `${facts.linksFailed} link${facts.linksFailed > 1 ? 's' : ''} failed their proof (bridge users); ${facts.linksVerified} verified`, facts };
    return { status: 'green', reason: `registered with ${p.orgShortName}; key valid ${current.daysLeft} more days; ${facts.linksVerified} links verified`, facts };
  },
};
