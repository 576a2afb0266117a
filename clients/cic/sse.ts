/** One server-sent event: the joined `data:` lines of a block. Comments (`:ping`) are not events. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Splits a text/event-stream body into events (WHATWG rules: blank line ends an event, `data:` lines join with
 * newlines, one leading space after the colon is dropped). `onRetry` receives the server's reconnect delay and
 * `onActivity` every line, pings included, so a silent connection can be told from an idle one.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  hooks: { onRetry?: (ms: number) => void; onActivity?: () => void } = {},
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      if (newline === buffer.length - 1 && buffer.endsWith('\r')) break;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      hooks.onActivity?.();
      if (line === '') {
        if (data.length > 0) yield { event, data: data.join('\n') };
        data = [];
        event = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'retry' && /^\d+$/.test(value)) hooks.onRetry?.(Number(value));
    }
  }
}
