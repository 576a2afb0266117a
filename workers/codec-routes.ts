import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { createLogger } from '../lib/logger';
import type { HttpHandler } from './http-server';
import type { Config } from '../lib/config';
import { payloadCodecFor } from '../lib/payload-codec';

const log = createLogger('codec-endpoint');
const MAX_BODY = 4 * 1024 * 1024;

export interface CodecHttpOptions {
  codec: PayloadCodec | undefined;
  /** Origins allowed to call from a browser (the Temporal UI's), e.g. `http://127.0.0.1:8233`. */
  corsOrigins: string[];
  /** When set, a request must carry `Authorization: Bearer <token>` (the UI passes the user's access token). */
  accessToken?: string;
}

/** `{metadata: {k: base64}, data: base64}` as the codec server protocol and the Temporal UI send it. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The codec endpoint as the config sets it up: the worker's own codec, BRIDGE_CODEC_CORS_ORIGINS, BRIDGE_CODEC_TOKEN. */
export function codecHttpOptions(config: Config): CodecHttpOptions {
  return {
    codec: payloadCodecFor(config),
    corsOrigins: (config.codecCorsOrigins ?? '').split(/[\s,]+/).filter(Boolean),
    accessToken: config.codecAccessToken,
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The Temporal codec server (`POST /codec/encode`, `POST /codec/decode`, body and answer
 * `{"payloads": [...]}`) on the bridge's HTTP server: the Temporal UI and `temporal` CLI send the encrypted
 * payloads they show here and get them back in clear, so an operator who can reach the bridge (and holds the
 * token, when one is set) reads workflow inputs as before, while the Temporal server never sees them.
 * Browsers may call it only from the configured origins (CORS, with the UI's `X-Namespace` header).
 */
export function createCodecHttpHandler(opts: CodecHttpOptions): HttpHandler {
  const origins = new Set(opts.corsOrigins.map((o) => o.replace(/\/+$/, '')));
  const token = opts.accessToken ? digest(`Bearer ${opts.accessToken}`) : undefined;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/codec/encode' && path !== '/codec/decode') return false;
    const origin = req.headers.origin;
    const cors: Record<string, string> = {};
    if (origin && origins.has(origin)) {
      Object.assign(cors, {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'Content-Type, X-Namespace, Authorization',
        'access-control-max-age': '600',
        vary: 'Origin',
      });
    }
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...cors });
      res.end(JSON.stringify(body));
    };
    if (origin && !cors['access-control-allow-origin']) return (answer(403, { error: `origin ${origin} is not allowed (BRIDGE_CODEC_CORS_ORIGINS)` }), true);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return true;
    }
    if (req.method !== 'POST') return (answer(405, { error: 'POST only' }), true);
    if (token) {
      const given = digest(String(req.headers.authorization ?? ''));
      if (!timingSafeEqual(given, token)) return (answer(401, { error: 'a valid access token is required (Authorization: Bearer …)' }), true);
    }
    if (!opts.codec) return (answer(503, { error: 'payload encryption is off: BRIDGE_SECRET_KEY is not set' }), true);
    let payloads: Payload[];
    try {
      const body = JSON.parse(await readBody(req));
      if (!body || !Array.isArray(body.payloads)) throw new Error('the body must be {"payloads": [...]}');
      payloads = (body.payloads as JsonPayload[]).map(fromJson);
    } catch (err) {
      return (answer(400, { error: (err as Error).message }), true);
    }
    try {
      const out = path === '/codec/encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
      answer(200, { payloads: out.map(toJson) });
    } catch (err) {
      log.warn({ namespace: req.headers['x-namespace'], err: (err as Error).message }, 'codec request failed');
      answer(400, { error: (err as Error).message });
    }
    return true;
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`the body is over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
