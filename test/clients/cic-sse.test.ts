import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readServerSentEvents } from '../../clients/cic/sse';

/** One `data:` line of `size` bytes, delivered in 64 KB chunks as undici hands a large body over. */
function oneLineStream(size: number): ReadableStream<Uint8Array> {
  const chunk = 64 * 1024;
  const filler = new Uint8Array(chunk).fill(0x78);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('data: '));
      if (sent >= size) {
        controller.enqueue(new TextEncoder().encode('\n\n'));
        controller.close();
        return;
      }
      const n = Math.min(chunk, size - sent);
      controller.enqueue(n === chunk ? filler : filler.subarray(0, n));
      sent += n;
    },
  });
}

async function parseMs(size: number): Promise<number> {
  const started = process.hrtime.bigint();
  let length = 0;
  for await (const event of readServerSentEvents(oneLineStream(size))) length += event.data.length;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(length, size);
  return ms;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('one huge data line parses in linear time (a reconnect sends the whole directory as one line)', async (t) => {
  await parseMs(1 << 20); // warm-up, so the first measurement does not pay for compilation
  const small = median([await parseMs(4 << 20), await parseMs(4 << 20), await parseMs(4 << 20)]);
  const large = median([await parseMs(32 << 20), await parseMs(32 << 20), await parseMs(32 << 20)]);
  const huge = await parseMs(40 << 20);
  t.diagnostic(`4 MB: ${small.toFixed(0)} ms, 32 MB: ${large.toFixed(0)} ms, 40 MB: ${huge.toFixed(0)} ms`);
  // Eight times the size: linear work takes about 8x, the re-scanning splitter this replaced about 60x.
  assert.ok(large < small * 24, `32 MB took ${large.toFixed(0)} ms, 4 MB took ${small.toFixed(0)} ms`);
  assert.ok(huge < small * 30, `40 MB took ${huge.toFixed(0)} ms, 4 MB took ${small.toFixed(0)} ms`);
});
