import { conduitHealth } from '../conduit';
import type { HealthProvider, HealthResult } from './providers';

/** The Conduit (issue 9): its own verdict (operations/conduit.ts), with the figures as facts. */
export const conduitRow: HealthProvider = {
  name: 'Conduit',
  async check(ctx): Promise<HealthResult> {
    if (!(await ctx.pairing())) return { status: 'amber', reason: 'not paired: run `bridge pair`', facts: {} };
    const v = await conduitHealth(ctx.deps.db);
    return { status: v.status, reason: v.reason, facts: { ...v.figures } };
  },
};
