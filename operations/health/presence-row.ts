import { presenceHealth } from '../presence';
import type { HealthProvider, HealthResult } from './providers';

/** Presence (issue 7): its own verdict (operations/presence.ts), with the figures flattened into facts. */
export const presenceRow: HealthProvider = {
  name: 'Presence',
  async check(ctx): Promise<HealthResult> {
    if (!(await ctx.pairing())) return { status: 'amber', reason: 'not paired: run `bridge pair`', facts: {} };
    const v = await presenceHealth(ctx.deps.db);
    const f = v.figures;
    return {
      status: v.status,
      reason: v.reason,
      facts: {
        requestsLastMinute: f.requestsLastMinute,
        usersPushedLastMinute: f.usersPushedLastMinute,
        failedLastMinute: f.failedLastMinute,
        lagP50Ms: f.lagP50Ms,
        lagP95Ms: f.lagP95Ms,
        usersKnown: f.users.known,
        usersPushed: f.users.pushed,
        usersWithError: f.users.withError,
        usersSkipped: f.users.skipped,
        lastError: f.lastError,
      },
    };
  },
};
