import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../lib/logger';
import { isRetryableCicError } from './errors';
import { uniqueServers } from './servers';
import { IcwsSession } from './session';
import { runWatchSession, type WatchSessionOptions } from './watch-session';

const log = createLogger('cic-watch');

export interface CicWatchState {
  state: 'connected' | 'reconnecting' | 'switchover';
  server?: string;
  previousServer?: string;
  /** Failed attempts since the last good connection; 0 once connected and subscribed. */
  attempt: number;
  reason?: string;
}

/** `onEvent` is awaited one event at a time, in order; a throw from it stops the watch with that error. */
export interface WatchCicOptions extends WatchSessionOptions {
  servers: string[];
  userId: string;
  password: string;
  applicationName?: string;
  onState?: (state: CicWatchState) => void | Promise<void>;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  timeoutMs?: number;
}

/**
 * Runs until `signal` aborts (then resolves) or a non-retryable failure such as bad credentials (then
 * rejects). A lost session, a 503 or an unreachable server leads to a reconnect with backoff, the last
 * server tried last, and fresh subscriptions; their initial messages (a new `users-snapshot`, every watched
 * status) cover whatever changed during the gap.
 */
export async function watchCic(opts: WatchCicOptions): Promise<void> {
  const { signal } = opts;
  const lastStatus = new Map<string, string>();
  let known = uniqueServers(opts.servers);
  let previous: string | undefined;
  let attempt = 0;
  while (!signal.aborted) {
    let session: IcwsSession | undefined;
    try {
      const order = previous ? [...known.filter((s) => s !== previous), previous] : known;
      session = await IcwsSession.connect({
        servers: order,
        userId: opts.userId,
        password: opts.password,
        applicationName: opts.applicationName ?? 'cloud-bridge watch',
        timeoutMs: opts.timeoutMs,
        signal,
      });
      known = uniqueServers(known, session.alternateServers);
      if (previous && previous !== session.server) {
        await opts.onState?.({
          state: 'switchover',
          server: session.server,
          previousServer: previous,
          attempt,
        });
      }
      previous = session.server;
      await runWatchSession(session, opts, lastStatus, async () => {
        attempt = 0;
        await opts.onState?.({ state: 'connected', server: session!.server, attempt });
      });
    } catch (err) {
      if (signal.aborted) break;
      if (!isRetryableCicError(err)) throw err;
      attempt++;
      const wait = backoff(attempt, opts.reconnectDelayMs ?? 1_000, opts.maxReconnectDelayMs ?? 30_000);
      log.warn(
        { server: previous, attempt, wait, err: (err as Error).message },
        'CIC watch lost; reconnecting',
      );
      await opts.onState?.({
        state: 'reconnecting',
        server: previous,
        attempt,
        reason: (err as Error).message,
      });
      await delay(wait, undefined, { signal }).catch(() => undefined);
    } finally {
      await session?.close();
    }
  }
}

function backoff(attempt: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.min(attempt - 1, 20));
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}
