import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One server-sent event: the joined `data:` lines of a block. Comments (`:ping`) are not events. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Splits a text/event-stream body into events (WHATWG rules, by `eventsource-parser`, which keeps a line that
 * spans many chunks as fragments and joins them once: a reconnect delivers the whole directory as one line of
 * tens of megabytes, and re-scanning a growing buffer per chunk made that quadratic). `onRetry` receives the
 * server's reconnect delay. `onActivity` fires for every chunk, pings included, so a silent connection can be
 * told from an idle one; per chunk rather than per line, so a huge line still arriving is not taken for silence.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  hooks: { onRetry?: (ms: number) => void; onActivity?: () => void } = {},
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let ready: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => void ready.push({ event: e.event, data: e.data }),
    onRetry: hooks.onRetry,
  });
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    hooks.onActivity?.();
    parser.feed(decoder.decode(chunk, { stream: true }));
    // Handed over one by one and forgotten here, so a consumer that lets go of a big event frees it.
    const batch = ready;
    ready = [];
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i];
      batch[i] = undefined!;
      yield event;
    }
  }
}
