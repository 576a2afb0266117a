import type { ActivityOptions } from '@temporalio/workflow';

/** Short database work: retried quickly, a few times. */
export const dbActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10 },
};

/** One call to a far side (Genesys Cloud, CIC): retried with backoff; domain errors are non-retryable. */
export const genesysCall: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * Long work. It heartbeats on a timer every few seconds whatever it waits for (activities/heartbeat.ts), so
 * the heartbeat timeout only has to outlast a stalled worker, not a 429 pause of a minute; a timed-out
 * attempt sees Temporal's cancellation and stops sending.
 */
export const longPage: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
