import { GenesysApiError } from '../../clients/genesys';
import type { HealthContext, HealthProvider } from './providers';

interface Probe {
  ok: boolean;
  at: string;
  status?: number;
  error?: string;
  auth?: boolean;
  /** No answer in time: the shared budget was busy (a full pass) or Genesys slow; the token is not in doubt. */
  timedOut?: boolean;
}

const PROBE_TIMEOUT_MS = 4000;

/**
 * Whether the OAuth client still gets answers: one `GET /api/v2/organizations/me` through the shared budget,
 * its result shared in Redis for `probeSeconds`, so however many pages and bridges look, Genesys sees at
 * most one probe per period. A revoked client shows at the next probe, not at the token's expiry.
 */
async function probe(ctx: HealthContext): Promise<Probe> {
  const { redis, queuePrefix, probeSeconds, pairingContext } = ctx.deps;
  const key = `${queuePrefix}:health:genesys-probe`;
  const cached = await redis.get(key);
  if (cached) return JSON.parse(cached) as Probe;
  let result: Probe;
  try {
    const client = await pairingContext.genesys();
    const res = await client.http.request({
      method: 'GET',
      path: '/api/v2/organizations/me',
      priority: 'normal',
      timeoutMs: PROBE_TIMEOUT_MS,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    result = { ok: true, at: new Date().toISOString(), status: res.status };
  } catch (err) {
    const e = err as Error;
    const api = err instanceof GenesysApiError ? err : undefined;
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    const message = timedOut ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s (the shared budget busy, or Genesys slow)` : e.message;
    result = { ok: false, at: new Date().toISOString(), status: api?.status, error: message, timedOut, auth: api?.type === 'GenesysAuth' || api?.status === 401 || api?.status === 403 };
  }
  await redis.set(key, JSON.stringify(result), 'EX', probeSeconds);
  return result;
}

/** The Genesys API: the OAuth client's token, the shared request budget, and 429s in the last hour. */
export const genesysRow: HealthProvider = {
  name: 'Genesys API',
  async check(ctx) {
    if (!(await ctx.pairing())) return { status: 'amber', reason: 'not paired: run `bridge pair`', facts: {} };
    const [result, client] = await Promise.all([probe(ctx), ctx.deps.pairingContext.genesys()]);
    const [usage, rateLimited] = await Promise.all([client.budget.usage(), client.budget.rateLimitedWithin(3600_000)]);
    const limit = client.budget.limit;
    const facts = {
      tokenValid: result.ok ? true : result.auth ? false : null,
      checkedAt: result.at,
      budgetUsedLastMinute: usage.inWindow,
      budgetPerMinute: limit > 0 ? limit : null,
      budgetPausedForMs: usage.pausedForMs,
      rateLimitedLastHour: rateLimited,
    };
    const budget = limit > 0 ? `${usage.inWindow} of ${limit} requests used in the last minute` : `${usage.inWindow} requests in the last minute (no limit set)`;
    if (!result.ok && result.auth) return { status: 'red', reason: `Genesys Cloud refused the OAuth client: ${result.error}`, facts };
    if (!result.ok && result.timedOut) return { status: 'amber', reason: `the token check got ${result.error}; ${budget}`, facts };
    if (!result.ok) return { status: 'red', reason: `Genesys Cloud is not answering: ${result.error}`, facts };
    if (usage.pausedForMs > 0) return { status: 'amber', reason: `paused for ${Math.ceil(usage.pausedForMs / 1000)} s after a 429; ${budget}`, facts };
    if (rateLimited > 0) return { status: 'amber', reason: `${rateLimited} answers 429 (rate limited) in the last hour; ${budget}`, facts };
    if (limit > 0 && usage.inWindow >= 0.9 * limit) return { status: 'amber', reason: `request budget nearly used up: ${budget}`, facts };
    return { status: 'green', reason: `token valid; ${budget}; no 429 in the last hour`, facts };
  },
};
