import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/database';
import { getPairing, type StoredPairing } from '../../db/pairing';
import type { PairingContext } from '../../activities/pairing-context';
import { describeWatch, type WatchFacts } from './watch-facts';

export type HealthStatus = 'green' | 'amber' | 'red';

/** One row's verdict: the colour, the reason in words, and the facts behind it (no secrets, no personal data). */
export interface HealthResult {
  status: HealthStatus;
  reason: string;
  facts: Record<string, string | number | boolean | null>;
}

/**
 * A row of the health page. The presence and conduit rows are providers like the others: a feature adds its
 * own to the registry (`healthProviders` below, or `extraProviders` of the HTTP handler) when it lands.
 */
export interface HealthProvider {
  name: string;
  check(ctx: HealthContext): Promise<HealthResult>;
}

export interface HealthDeps {
  db: Db;
  temporal: Client;
  /** Where the Genesys probe result is shared between bridges for `probeSeconds`. */
  redis: Redis;
  pairingContext: PairingContext;
  queuePrefix: string;
  probeSeconds: number;
}

/** What several rows read, read once per page. */
export interface HealthContext {
  deps: HealthDeps;
  pairing(): Promise<StoredPairing | undefined>;
  watch(): Promise<WatchFacts | undefined>;
}

export function healthContext(deps: HealthDeps): HealthContext {
  let pairing: Promise<StoredPairing | undefined> | undefined;
  let watch: Promise<WatchFacts | undefined> | undefined;
  const ctx: HealthContext = {
    deps,
    pairing: () => (pairing ??= getPairing(deps.db, { includeUnpairing: true })),
    watch: () =>
      (watch ??= ctx.pairing().then((p) => (p ? describeWatch(deps.temporal, p.orgShortName) : undefined))),
  };
  return ctx;
}

export interface HealthRow extends HealthResult {
  name: string;
}

export interface HealthReport {
  status: HealthStatus;
  generatedAt: string;
  rows: HealthRow[];
}

const rank: Record<HealthStatus, number> = { green: 0, amber: 1, red: 2 };

/**
 * Runs every provider at once, each within `timeoutMs`: a row that throws or hangs is red with the reason,
 * and never holds the page.
 */
export async function runHealthChecks(providers: readonly HealthProvider[], ctx: HealthContext, timeoutMs = 5000): Promise<HealthReport> {
  const rows = await Promise.all(
    providers.map(async (p): Promise<HealthRow> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HealthResult>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'red', reason: `no answer within ${timeoutMs / 1000} s`, facts: {} }), timeoutMs);
      });
      try {
        const result = await Promise.race([p.check(ctx), timeout]);
        return { name: p.name, ...result };
      } catch (err) {
        return { name: p.name, status: 'red', reason: `the check failed: ${(err as Error).message}`, facts: {} };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const status = rows.reduce<HealthStatus>((worst, r) => (rank[r.status] > rank[worst] ? r.status : worst), 'green');
  return { status, generatedAt: new Date().toISOString(), rows };
}
