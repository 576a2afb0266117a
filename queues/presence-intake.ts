import type { Queue } from 'bullmq';
import type { PresenceStore } from './presence-redis';
import { remapJob, statusJob, type PresenceJob } from './presence-queue';
import type { CicStatusMessage } from '../domain/presence-mapping';

export interface StatusSighting {
  userId: string;
  statusId: string;
  loggedIn: boolean;
  /** From a (re)subscription's first message rather than a change: never held back. */
  initial: boolean;
}

export interface IntakeOptions {
  /** A user who changed again within this many ms is held until quiet this long (a flapping agent). */
  quietMs: number;
  /** ...but never longer than this since its first held change. */
  maxHoldMs: number;
  /** Changes gather this long before they leave together. */
  flushMs: number;
  /** Users per Redis round trip. */
  chunk: number;
  retryMaxMs: number;
}

export const defaultIntakeOptions: IntakeOptions = { quietMs: 120, maxHoldMs: 2_000, flushMs: 5, chunk: 1_000, retryMaxMs: 5_000 };

interface Entry extends StatusSighting {
  seenAt: number;
}

/**
 * The watch's hand-off of status changes to the presence lane. Latest wins in memory as well: a user appears
 * at most once in what waits here, so memory is bounded by the directory. Each flush records the statuses in
 * Redis and queues one job per user with one addBulk, so a message of 10,000 statuses costs a few round
 * trips, not 10,000. A user who changes again within `quietMs` is held until it has been quiet that long,
 * which keeps an agent clicking through 20 statuses a second to two pushes: the first change and the last.
 * What cannot be handed over (Redis away) waits here and is retried; should the watch end meanwhile, the
 * next watch's first status message repeats every status, so nothing is lost for good.
 */
export class PresenceIntake {
  private readonly opts: IntakeOptions;
  private readonly ready = new Map<string, Entry>();
  private readonly held = new Map<string, { entry: Entry; releaseAt: number; firstAt: number }>();
  private readonly lastChange = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  private lastPrune = Date.now();

  constructor(
    private readonly deps: {
      org: string;
      store: Pick<PresenceStore, 'record' | 'catalog' | 'saveCatalog'>;
      queue: Pick<Queue<PresenceJob>, 'addBulk' | 'add'>;
      log: { warn(message: string, meta?: Record<string, unknown>): void; info(message: string, meta?: Record<string, unknown>): void };
      options?: Partial<IntakeOptions>;
    },
  ) {
    this.opts = { ...defaultIntakeOptions, ...deps.options };
  }

  get pending(): number {
    return this.ready.size + this.held.size;
  }

  add(s: StatusSighting): void {
    const now = Date.now();
    const entry: Entry = { ...s, seenAt: now };
    const last = this.lastChange.get(s.userId);
    this.lastChange.set(s.userId, now);
    const h = this.held.get(s.userId);
    if (!s.initial && last !== undefined && now - last < this.opts.quietMs) {
      this.ready.delete(s.userId);
      this.held.set(s.userId, { entry, releaseAt: now + this.opts.quietMs, firstAt: h?.firstAt ?? now });
    } else {
      this.held.delete(s.userId);
      this.ready.set(s.userId, entry);
    }
    this.schedule();
  }

  /**
   * The status catalog as the watch's subscription reports it. When what the mapping reads differs from the
   * catalog the presence workers use, it replaces it and every known user is mapped again (a changed flag or
   * group can move a status to another presence). Failures are logged: the workers reread CIC's catalog
   * every few minutes anyway.
   */
  async catalog(statusMessages: readonly CicStatusMessage[]): Promise<void> {
    const relevant = (list: readonly CicStatusMessage[]) =>
      JSON.stringify(
        list
          .map((m) => [m.statusId.toLowerCase(), m.messageText ?? null, m.groupTag ?? null, !!m.isDoNotDisturbStatus, !!m.isAfterCallWorkStatus, !!m.isAcdStatus])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    try {
      const known = await this.deps.store.catalog();
      if (known && relevant(known) === relevant(statusMessages)) return;
      await this.deps.store.saveCatalog(statusMessages);
      if (!known) return;
      const job = remapJob('the CIC status catalog changed');
      await this.deps.queue.add(job.name, job.data, job.opts);
      this.deps.log.info('the CIC status catalog changed: presence is mapped again', { statuses: statusMessages.length });
    } catch (err) {
      this.deps.log.warn('could not hand the CIC status catalog to the presence lane', { err: (err as Error).message });
    }
  }

  /** Hands over what waits (held users included), trying for up to `graceMs`. */
  async close(graceMs = 3_000): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const [id, h] of this.held) this.ready.set(id, h.entry);
    this.held.clear();
    const deadline = Date.now() + graceMs;
    while (this.ready.size && Date.now() < deadline) {
      await this.flushing;
      await this.flush().catch(() => new Promise((r) => setTimeout(r, 200)));
    }
    if (this.ready.size) this.deps.log.warn('status changes not handed to the presence lane; the next watch repeats them', { users: this.ready.size });
  }

  private schedule(): void {
    if (this.closed || this.flushing) return;
    let at = Infinity;
    if (this.ready.size) at = Date.now() + (this.failures ? this.backoff() : this.opts.flushMs);
    for (const h of this.held.values()) at = Math.min(at, Math.min(h.releaseAt, h.firstAt + this.opts.maxHoldMs));
    if (at === Infinity) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - Date.now()));
  }

  private backoff(): number {
    return Math.min(this.opts.retryMaxMs, 100 * 2 ** Math.min(this.failures, 10));
  }

  private tick(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const [id, h] of this.held) {
      if (h.releaseAt <= now || h.firstAt + this.opts.maxHoldMs <= now) {
        this.held.delete(id);
        this.ready.set(id, h.entry);
      }
    }
    if (now - this.lastPrune > 5_000) {
      this.lastPrune = now;
      for (const [id, at] of this.lastChange) if (now - at > this.opts.quietMs && !this.held.has(id)) this.lastChange.delete(id);
    }
    if (!this.ready.size) return this.schedule();
    this.flushing = this.flush()
      .then(() => {
        if (this.failures) this.deps.log.info('the presence lane takes status changes again', { failedAttempts: this.failures });
        this.failures = 0;
      })
      .catch((err) => {
        this.failures++;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.deps.log.warn('could not hand status changes to the presence lane; kept and tried again', { err: (err as Error).message, users: this.ready.size });
        }
      })
      .finally(() => {
        this.flushing = undefined;
        this.schedule();
      });
  }

  private async flush(): Promise<void> {
    while (this.ready.size) {
      const chunk: Entry[] = [];
      for (const e of this.ready.values()) {
        chunk.push(e);
        if (chunk.length >= this.opts.chunk) break;
      }
      await this.deps.store.record(chunk);
      await this.deps.queue.addBulk(chunk.map((e) => statusJob(this.deps.org, e.userId)));
      // A newer sighting that arrived meanwhile stays for the next round.
      for (const e of chunk) if (this.ready.get(e.userId) === e) this.ready.delete(e.userId);
    }
  }
}
