import type { HttpClient } from './http';
import type { Priority } from './request-budget';

/** The body of one Conduit batch, as Genesys Cloud takes it. */
export interface ConduitBatchBody {
  batchId: string;
  events: {
    eventId: string;
    interactionId: string;
    eventType: string;
    occurredAt: string;
    attributes: Record<string, string | number | boolean | null>;
  }[];
}

export interface ConduitEventResult {
  eventId: string | null;
  status: 'created' | 'duplicate' | 'rejected';
  reason?: string;
}

/** Genesys's request limit (512 KB), and the per-batch event count its ingestion takes. */
export const CONDUIT_MAX_BYTES = 512_000;
export const CONDUIT_MAX_EVENTS = 1000;
/** Below presence (`high`) and directory updates (`normal`): the Conduit yields when the budget is short. */
export const CONDUIT_PRIORITY: Priority = 'low';

export interface ConduitClient {
  /**
   * Sends one batch with its Idempotency-Key; a resend with the same key and body is answered as the first
   * time. Retryable failures (429, 5xx, timeouts, dropped connections) are retried by the HTTP client with the
   * same key; what still fails is thrown, and the outcome is unknown until the batch is sent again.
   */
  sendBatch(body: ConduitBatchBody, idempotencyKey: string, signal?: AbortSignal): Promise<ConduitEventResult[]>;
}

export function createConduitClient(opts: { http: HttpClient; timeoutMs?: number }): ConduitClient {
  return {
    async sendBatch(body, idempotencyKey, signal) {
      const res = await opts.http.request<{ results?: ConduitEventResult[] }>({
        method: 'POST',
        path: '/api/v2/conduit/events',
        body,
        idempotencyKey,
        priority: CONDUIT_PRIORITY,
        accept: [207],
        timeoutMs: opts.timeoutMs ?? 30_000,
        signal,
      });
      const results = res.body?.results;
      if (!Array.isArray(results) || results.length !== body.events.length) {
        throw new Error(`POST /api/v2/conduit/events: expected ${body.events.length} results, got ${Array.isArray(results) ? results.length : 'none'}`);
      }
      return results;
    },
  };
}

/** The exact size of a batch body on the wire, computed per event so a batch can be cut under the limit. */
export function eventBytes(event: ConduitBatchBody['events'][number]): number {
  return Buffer.byteLength(JSON.stringify(event)) + 1;
}

export function envelopeBytes(batchId: string): number {
  return Buffer.byteLength(JSON.stringify({ batchId, events: [] }));
}
