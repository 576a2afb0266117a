import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics. Counters and histograms are observed where the work happens (the far-side
 * clients, the sync activities, the queue workers) in whichever worker process does it, so one registry per
 * process is right; `/metrics` adds gauges read from PostgreSQL and Redis at scrape time (operations/metrics.ts).
 * Labels carry endpoint families and states, never ids, emails or other personal data.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'bridge_process_' });

export const farSideRequests = new Counter({
  name: 'bridge_far_side_requests_total',
  help: 'HTTP requests to a far side (genesys, genesys-login, cic) by endpoint family and status (a number, or "network" when no answer came)',
  labelNames: ['far_side', 'family', 'status'] as const,
  registers: [metricsRegistry],
});

export const farSideRequestSeconds = new Histogram({
  name: 'bridge_far_side_request_duration_seconds',
  help: 'Time from sending a far-side request to its answer, by far side and endpoint family',
  labelNames: ['far_side', 'family'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const genesysRateLimited = new Counter({
  name: 'bridge_genesys_rate_limited_total',
  help: 'Answers 429 (rate limited) from Genesys Cloud',
  labelNames: ['family'] as const,
  registers: [metricsRegistry],
});

export const syncPassSeconds = new Histogram({
  name: 'bridge_sync_pass_duration_seconds',
  help: 'Duration of directory sync passes (started to finished), by kind (full, delta) and status',
  labelNames: ['kind', 'status'] as const,
  buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600],
  registers: [metricsRegistry],
});

export const syncChanges = new Counter({
  name: 'bridge_sync_changes_total',
  help: 'Per-user outcomes of finished sync passes, by pass kind and action (create, update, error...)',
  labelNames: ['kind', 'action'] as const,
  registers: [metricsRegistry],
});

export const changePropagationSeconds = new Histogram({
  name: 'bridge_change_propagation_seconds',
  help: 'CIC change seen by the watch → the write acknowledged by Genesys Cloud',
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
  registers: [metricsRegistry],
});

const ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|\d+|[^/]*[@%][^/]*)$/i;

/**
 * The endpoint family of a path, with ids left out so the label stays low-cardinality and free of personal
 * data: `/api/v2/scim/v2/users/{id}` → `scim/users`, `/api/v2/users/{id}/presences/{source}` → `users/presences`,
 * `/icws/{session}/configuration/users` → `configuration/users`. Two named segments at most.
 */
export function endpointFamily(farSide: 'genesys' | 'genesys-login' | 'cic', path: string): string {
  const segments = path.split('?')[0].split('/').filter(Boolean);
  let rest = segments;
  if (farSide === 'genesys') rest = segments[0] === 'api' ? segments.slice(2) : segments;
  if (farSide === 'cic') rest = segments[0] === 'icws' ? segments.slice(1) : segments;
  if (farSide === 'cic' && rest[0] !== 'connection') rest = rest.slice(1); // the session id
  const named = rest.filter((s) => !ID.test(s) && !(s === 'v2' && farSide === 'genesys'));
  return named.slice(0, 2).join('/') || '/';
}

/** One far-side request's outcome: `status` is the HTTP status, or undefined when no answer came. */
export function recordRequest(farSide: 'genesys' | 'genesys-login' | 'cic', path: string, status: number | undefined, startedAt: number): void {
  const family = endpointFamily(farSide, path);
  farSideRequests.inc({ far_side: farSide, family, status: status === undefined ? 'network' : String(status) });
  farSideRequestSeconds.observe({ far_side: farSide, family }, (performance.now() - startedAt) / 1000);
  if (status === 429 && farSide !== 'cic') genesysRateLimited.inc({ family });
}
