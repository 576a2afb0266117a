import { Gauge, Registry } from 'prom-client';
import type { Db } from '../db/database';
import type { PairingContext } from '../activities/pairing-context';
import { countLinksByState } from '../db/directory';
import { countDrift } from '../db/drift';
import { propagationSummary } from '../db/change-propagation';
import { getPairing } from '../db/pairing';
import { metricsRegistry } from '../lib/metrics';

const USER_STATES = ['synced', 'error', 'conflict', 'not-synced', 'deactivated'];

/**
 * Gauges read at scrape time, from PostgreSQL and Redis, so every bridge reports the same shared state
 * whichever of them did the work: users by state, drift, changes waiting, and the Genesys request budget.
 */
export function createScrapeRegistry(deps: { db: Db; pairingContext: PairingContext }): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'bridge_users',
    help: 'CIC users by sync state (synced, error, conflict, not-synced, deactivated)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await countLinksByState(deps.db);
      for (const state of new Set([...USER_STATES, ...Object.keys(counts)])) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'bridge_users_with_cloud_drift',
    help: 'Synced users whose synced attributes were edited in Genesys Cloud (found by the last full pass)',
    registers: [registry],
    async collect() {
      this.set(await countDrift(deps.db));
    },
  });
  new Gauge({
    name: 'bridge_changes_waiting',
    help: 'CIC changes seen by the watch and not yet acknowledged by Genesys Cloud',
    registers: [registry],
    async collect() {
      this.set((await propagationSummary(deps.db)).waiting);
    },
  });
  // Not paired, or no BRIDGE_SECRET_KEY to open the client with: the budget gauges are left out, not the scrape.
  const budget = async () => ((await getPairing(deps.db)) ? (await deps.pairingContext.genesys().catch(() => undefined))?.budget : undefined);
  new Gauge({
    name: 'bridge_genesys_budget_used',
    help: 'Genesys requests taken from the shared budget in the last window (one minute), every bridge together',
    registers: [registry],
    async collect() {
      const b = await budget();
      if (b) this.set((await b.usage()).inWindow);
    },
  });
  new Gauge({
    name: 'bridge_genesys_budget_limit',
    help: 'Genesys requests per minute the shared budget allows (0: unlimited)',
    registers: [registry],
    async collect() {
      const b = await budget();
      if (b) this.set(b.limit);
    },
  });
  new Gauge({
    name: 'bridge_genesys_rate_limited_last_hour',
    help: 'Answers 429 from Genesys Cloud in the last hour, every bridge together',
    registers: [registry],
    async collect() {
      const b = await budget();
      if (b) this.set(await b.rateLimitedWithin(3600_000));
    },
  });
  return registry;
}

/** The Prometheus text of this process's metrics and the scrape-time gauges. */
export async function renderMetrics(scrape: Registry): Promise<{ contentType: string; body: string }> {
  const merged = Registry.merge([metricsRegistry, scrape]);
  return { contentType: metricsRegistry.contentType, body: await merged.metrics() };
}
