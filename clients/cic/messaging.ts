import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../lib/logger';
import { SessionEndedError } from './errors';
import { parseMessage, type IcwsMessage } from './messages';
import type { IcwsSession } from './session';
import { readServerSentEvents, type SseEvent } from './sse';

const log = createLogger('cic-client');

export interface MessagesOptions {
  /** `auto` (default) streams when the server's `messaging` feature is version 2 or later, else polls. */
  mode?: 'auto' | 'sse' | 'poll';
  signal: AbortSignal;
  pollIntervalMs?: number;
  /** A stream with no line at all (not even `:ping`) for this long is taken as dead (default 60 s). */
  idleTimeoutMs?: number;
}

/**
 * The session's messages, in order, until `signal` aborts (then the iterator just ends). It throws
 * SessionEndedError when the session dies (switchover, logout, 401) and CicNetworkError when the server is
 * gone, so the caller reconnects.
 */
export function messages(session: IcwsSession, opts: MessagesOptions): AsyncGenerator<IcwsMessage> {
  const sse =
    opts.mode === 'sse' || ((opts.mode ?? 'auto') === 'auto' && session.featureVersion('messaging') >= 2);
  return sse ? streamed(session, opts) : polled(session, opts);
}

async function* polled(session: IcwsSession, opts: MessagesOptions): AsyncGenerator<IcwsMessage> {
  while (!opts.signal.aborted) {
    let batch: unknown[];
    try {
      batch =
        (await session.request<unknown[]>('GET', '/messaging/messages', { signal: opts.signal })).body ?? [];
    } catch (err) {
      if (opts.signal.aborted) return;
      throw err;
    }
    for (const raw of batch) yield parseMessage(raw);
    // A full batch suggests more is waiting; only an empty poll waits out the interval.
    if (batch.length === 0) await sleep(opts.pollIntervalMs ?? 1_000, opts.signal);
  }
}

/**
 * A stream the server closes cleanly is reopened on the same session: the server saw the close and queues what
 * follows. A stream that breaks or goes silent may have swallowed messages in flight, so the session is
 * closed and SessionEndedError thrown: a new session's initial messages then cover whatever was lost.
 */
async function* streamed(session: IcwsSession, opts: MessagesOptions): AsyncGenerator<IcwsMessage> {
  const { signal } = opts;
  let retryMs = 1_000;
  while (!signal.aborted) {
    const stop = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const watchIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => stop.abort(new Error('event stream idle')), opts.idleTimeoutMs ?? 60_000);
    };
    let broken: string | undefined;
    try {
      const res = await session.openStream('/messaging/messages', AbortSignal.any([signal, stop.signal]));
      watchIdle();
      const events = readServerSentEvents(res.body!, {
        onRetry: (ms) => (retryMs = ms),
        onActivity: watchIdle,
      });
      try {
        for (let parsed = await nextData(events, session.server); parsed; parsed = await nextData(events, session.server)) {
          clearTimeout(idle); // a slow consumer must not look like a dead stream
          for (const raw of parsed) yield parseMessage(raw);
          watchIdle();
        }
      } finally {
        await events.return(undefined);
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!(err instanceof TypeError) && !stop.signal.aborted) throw err;
      broken = stop.signal.aborted ? 'went silent' : `broke (${(err as Error).message})`;
    } finally {
      clearTimeout(idle);
      stop.abort();
    }
    await ensureSessionAlive(session, signal);
    if (signal.aborted) return;
    if (broken) {
      await session.close();
      throw new SessionEndedError(
        0,
        {},
        `The event stream ${broken}; the session was closed since messages may have been lost.`,
      );
    }
    await sleep(Math.min(retryMs, 5_000), signal);
  }
}

/** Throws SessionEndedError (or CicNetworkError when the server is gone) unless the session is still up. */
async function ensureSessionAlive(session: IcwsSession, signal: AbortSignal): Promise<void> {
  try {
    const res = await session.request<{ connectionState?: number }>('GET', '/connection', { signal });
    if (res.body?.connectionState === 2 || res.body?.connectionState === 0)
      throw new SessionEndedError(200, {}, 'The ICWS connection is down.');
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
}

/**
 * The next event's messages, parsed here so the event's text (a whole directory after a reconnect: tens of
 * megabytes) is garbage before the caller starts on the messages, instead of living as long as they do.
 */
async function nextData(events: AsyncGenerator<SseEvent>, server: string): Promise<unknown[] | undefined> {
  const next = await events.next();
  return next.done ? undefined : parseData(next.value.data, server);
}

function parseData(data: string, server: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(data);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    log.warn({ server, length: data.length }, 'Skipped an ICWS event that is not JSON');
    return [];
  }
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
