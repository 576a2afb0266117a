import { setMaxListeners } from 'node:events';
import { Context } from '@temporalio/activity';

const EVERY_MS = 3000;

/**
 * Runs a long activity body with a heartbeat on a timer, whatever the body is waiting for (a 429 pause, a
 * slow page), so the heartbeat timeout measures a dead worker, not a slow far side. The body reports its
 * progress with `beat`, which the next tick sends; `signal` is Temporal's cancellation, aborted when this
 * attempt has timed out or been cancelled, and must reach every outgoing call so the attempt stops sending.
 */
export async function withHeartbeat<T>(body: (beat: (details: object) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  // Every call in flight listens to it (64 at a time in an apply chunk).
  setMaxListeners(0, ctx.cancellationSignal);
  let details: object | undefined;
  const timer = setInterval(() => ctx.heartbeat(details), EVERY_MS);
  ctx.heartbeat(details);
  try {
    return await body((d) => (details = d), ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
