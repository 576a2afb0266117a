import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { getPairing, type StoredPairing } from '../db/pairing';
import { captureInteractionChanges } from '../db/conduit-outbox';
import { INTERACTION_ATTRIBUTES, type InteractionChange } from '../domain/conversation-events';
import type { CicWatchEvent, WatchSubscriptions } from '../clients/cic';

type Log = { info(m: string, a?: Record<string, unknown>): void; warn(m: string, a?: Record<string, unknown>): void; error(m: string, a?: Record<string, unknown>): void };

export interface CaptureOptions {
  /** Changes written to PostgreSQL per transaction. */
  chunk: number;
  /** Above this many changes held, the watch waits for the capture (ICWS keeps what it has not read). */
  holdLimit: number;
  retryMaxMs: number;
  /** How often the watch re-reads the option, to reconnect with or without the queue subscription. */
  optionCheckMs: number;
}

const defaults: CaptureOptions = { chunk: 2_000, holdLimit: 100_000, retryMaxMs: 5_000, optionCheckMs: 3_000 };

/**
 * The Conduit's capture inside the ICWS watch. Interaction changes are held in memory, in order, and written
 * by one loop to the outbox (with their de-duplication state, one transaction per chunk), so a burst never
 * blocks the watch; a change is let go only once PostgreSQL has committed it. While PostgreSQL is away the
 * changes wait and are retried with backoff; past `holdLimit` the watch itself waits, and ICWS holds the
 * rest. Also watches the option: switching the Conduit on or off aborts `signal`, and the watch reconnects
 * with the new subscriptions.
 */
export class ConduitCapture {
  private readonly opts: CaptureOptions;
  private held: InteractionChange[] = [];
  private wake: (() => void) | undefined;
  private drained: (() => void)[] = [];
  private closed = false;
  private readonly loop: Promise<void>;
  private readonly optionTimer: NodeJS.Timeout;
  private readonly restart = new AbortController();
  captured = 0;
  /** This capture's run id and change counter: a chunk written again after a commit whose answer was lost adds nothing. */
  private readonly run_ = randomUUID();
  private seq = 0;

  constructor(
    private readonly deps: { db: Db; log: Log; enabled: boolean },
    options: Partial<CaptureOptions> = {},
  ) {
    this.opts = { ...defaults, ...options };
    this.loop = deps.enabled ? this.run() : Promise.resolve();
    this.optionTimer = setInterval(() => void this.checkOption(), this.opts.optionCheckMs);
  }

  /** Aborted when the option changed: the watch must reconnect. */
  get signal(): AbortSignal {
    return this.restart.signal;
  }

  get pending(): number {
    return this.held.length;
  }

  /** The queue subscription the watch adds while the Conduit is on. */
  static subscription(pairing: StoredPairing): WatchSubscriptions['queues'] | undefined {
    if (!pairing.options.conduitEnabled) return undefined;
    return {
      subscriptionId: 'cloud-bridge-conduit',
      queueIds: pairing.options.conduitWorkgroups.map((queueName) => ({ queueType: 2 as const, queueName })),
      attributeNames: [...INTERACTION_ATTRIBUTES],
      userQueues: true,
    };
  }

  async add(event: CicWatchEvent & { kind: 'interaction' }): Promise<void> {
    if (!this.deps.enabled || this.closed) return;
    this.held.push({ change: event.change, interactionId: event.interactionId, attributes: event.attributes, at: event.at, seq: { run: this.run_, n: ++this.seq } });
    this.kick();
    if (this.held.length >= this.opts.holdLimit) await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Stops taking changes and tries for up to `graceMs` to write what is held; what is left is logged. */
  async close(graceMs = 5_000): Promise<void> {
    clearInterval(this.optionTimer);
    this.closed = true;
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (this.held.length) {
      this.deps.log.error('interaction changes could not be written to the conduit outbox before the watch ended', { changes: this.held.length });
    }
    this.releaseWaiters();
  }

  private async checkOption(): Promise<void> {
    try {
      const p = await getPairing(this.deps.db);
      if (p && p.options.conduitEnabled !== this.deps.enabled) {
        this.deps.log.info('the Conduit option changed: the watch reconnects', { conduitEnabled: p.options.conduitEnabled });
        this.restart.abort(new Error('the Conduit option changed'));
      }
    } catch {
      // PostgreSQL away: the capture loop says so; the option is read again at the next tick.
    }
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private releaseWaiters(): void {
    const waiting = this.drained;
    this.drained = [];
    waiting.forEach((r) => r());
  }

  private async run(): Promise<void> {
    let failures = 0;
    for (;;) {
      if (!this.held.length) {
        if (this.closed) return;
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      const chunk = this.held.slice(0, this.opts.chunk);
      try {
        const r = await captureInteractionChanges(this.deps.db, chunk);
        this.held = this.held.slice(chunk.length);
        this.captured += r.events;
        if (failures) this.deps.log.info('the conduit outbox takes changes again', { failedAttempts: failures });
        failures = 0;
        if (this.held.length < this.opts.holdLimit) this.releaseWaiters();
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 20 === 0) {
          this.deps.log.warn('could not write interaction changes to the conduit outbox; they are kept and tried again', {
            err: (err as Error).message,
            held: this.held.length,
            attempt: failures,
          });
        }
        if (this.closed && failures > 3) return;
        await new Promise((r) => setTimeout(r, Math.min(this.opts.retryMaxMs, 100 * 2 ** Math.min(failures, 10))));
      }
    }
  }
}
