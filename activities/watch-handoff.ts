import type { CicEventJob } from '../queues/cic-events';
import type { BacklogEntry } from '../db/watch-backlog';

export interface HandoffOptions {
  /** How long changes gather before they leave together. */
  batchMs: number;
  /** An enqueue that has not answered by then counts as failed (and is tried again; a late success only repeats ids). */
  sendTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** After failing this long, what is held goes to PostgreSQL, and later changes go there at their first failure. */
  durableAfterMs: number;
  /** Above this many held ids they collapse into one "full pass needed". */
  holdLimit: number;
  /** Ids per users-changed job. */
  idsPerJob: number;
}

export const defaultHandoffOptions: HandoffOptions = {
  batchMs: 25,
  sendTimeoutMs: 5_000,
  retryBaseMs: 200,
  retryMaxMs: 5_000,
  durableAfterMs: 10_000,
  holdLimit: 2_000,
  idsPerJob: 500,
};

export interface HandoffDeps {
  org: string;
  /** Enqueues one job on cic-events; resolves once the queue has accepted it. */
  send(job: CicEventJob): Promise<void>;
  /** The durable fallback (PostgreSQL's watch_backlog). */
  backlog: {
    note(cicIds: string[], fullPass: boolean): Promise<void>;
    page(limit: number): Promise<BacklogEntry[]>;
    clear(entries: BacklogEntry[]): Promise<void>;
    count(): Promise<number>;
    /** PostgreSQL's clock now, and the removal of everything noted until such a time. */
    cutoff(): Promise<string>;
    clearNotedBy(cutoff: string): Promise<void>;
  };
  log: {
    info(message: string, meta?: Record<string, unknown>): void;
    warn(message: string, meta?: Record<string, unknown>): void;
    error(message: string, meta?: Record<string, unknown>): void;
  };
  options?: Partial<HandoffOptions>;
}

const FULL_PASS_ID = '*';

/**
 * The watch's lossless hand-off to the cic-events queue: an id is dropped only once the queue (or, when the
 * queue stays unreachable, PostgreSQL) has accepted it. Ids wait in memory, merged with later changes,
 * and are retried with capped backoff; a held id seen again while its job is in flight stays held, since
 * the pass that job starts may read CIC before the newer change. Memory is bounded: above `holdLimit` ids,
 * one "full pass needed" stands for all of them. When Redis stays away past `durableAfterMs`, or the watch
 * ends, what is held goes to `watch_backlog`; the hand-off drains that backlog into the queue when it starts
 * and once the queue answers again, and the directory sync's passes cover (and clear) it as well.
 */
export class WatchHandoff {
  private readonly opts: HandoffOptions;
  /** Held id → sequence number of its latest sighting. */
  private readonly held = new Map<string, number>();
  private resync: { reason: string; seq: number } | undefined;
  private seq = 0;
  /** The PostgreSQL backlog may hold entries: true at start, and after anything went there. */
  private backlogDue = true;
  private failingSince: number | undefined;
  private failures = 0;
  private closed = false;
  /** Ends the wait for work (new ids, close). */
  private wake: (() => void) | undefined;
  /** Ends a batching or backoff pause early: only close does, so a burst neither splits batches nor hurries retries. */
  private interrupt: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(private readonly deps: HandoffDeps) {
    this.opts = { ...defaultHandoffOptions, ...deps.options };
    this.loop = this.run().catch((err) => this.deps.log.error('the CIC change hand-off stopped', { err: (err as Error).message }));
  }

  /** Ids (and whether a full pass is pending) not yet accepted by the queue or PostgreSQL. */
  get pending(): { ids: number; fullPass: boolean } {
    return { ids: this.held.size, fullPass: !!this.resync };
  }

  add(cicIds: Iterable<string>): void {
    for (const id of cicIds) {
      this.held.delete(id);
      this.held.set(id, ++this.seq);
    }
    if (this.held.size > this.opts.holdLimit) {
      this.requestFullPass(`more than ${this.opts.holdLimit} CIC changes waiting to be handed over`);
    } else this.kick();
  }

  /** A full pass covers every held id, so they are let go for it. */
  requestFullPass(reason: string): void {
    this.resync = { reason, seq: ++this.seq };
    this.held.clear();
    this.kick();
  }

  /**
   * Stops taking work: tries for up to `graceMs` to hand over what is held, then puts what is left in
   * PostgreSQL. Only if PostgreSQL fails too is anything left behind, and that is logged as an error.
   */
  async close(graceMs = 3_000): Promise<void> {
    this.closed = true;
    this.kick();
    this.interrupt?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (!this.held.size && !this.resync) return;
    try {
      await this.persist('the watch is ending');
    } catch (err) {
      this.deps.log.error('CIC changes could not be handed over nor recorded: the next reconciliation covers them', {
        ids: this.held.size,
        fullPass: !!this.resync,
        err: (err as Error).message,
      });
    }
  }

  private hasWork(): boolean {
    return this.held.size > 0 || !!this.resync || (this.backlogDue && !this.closed);
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.interrupt = done;
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      if (!this.hasWork()) {
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      if (!this.closed) await this.pause(this.opts.batchMs);
      try {
        await this.handOver();
        if (this.failures) this.deps.log.info('cic-events accepts changes again', { failedAttempts: this.failures });
        this.failures = 0;
        this.failingSince = undefined;
      } catch (err) {
        this.failures++;
        this.failingSince ??= Date.now();
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.deps.log.warn('cic-events enqueue failed; the changes are kept and tried again', {
            err: (err as Error).message,
            attempt: this.failures,
            held: this.held.size,
          });
        }
        if (this.closed) return;
        if (Date.now() - this.failingSince >= this.opts.durableAfterMs && (this.held.size || this.resync)) {
          await this.persist(`cic-events unreachable for ${Math.round((Date.now() - this.failingSince) / 1000)} s`).catch((e) =>
            this.deps.log.warn('could not record held CIC changes in PostgreSQL; they stay held', { err: (e as Error).message }),
          );
        }
        if (this.closed) return;
        const exp = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(this.failures - 1, 20));
        await this.pause(Math.round(exp / 2 + (Math.random() * exp) / 2));
      }
    }
  }

  private async handOver(): Promise<void> {
    if (this.resync) {
      // The full pass this starts reads CIC after the queue accepted it: it covers every id seen until now.
      const upTo = this.seq;
      await this.send({ kind: 'resync', org: this.deps.org, reason: this.resync.reason });
      if (this.resync && this.resync.seq <= upTo) this.resync = undefined;
      for (const [id, s] of this.held) if (s <= upTo) this.held.delete(id);
    }
    while (this.held.size) {
      const chunk: [string, number][] = [];
      for (const entry of this.held) {
        chunk.push(entry);
        if (chunk.length >= this.opts.idsPerJob) break;
      }
      await this.send({ kind: 'users-changed', org: this.deps.org, userIds: chunk.map(([id]) => id) });
      for (const [id, s] of chunk) if (this.held.get(id) === s) this.held.delete(id);
    }
    if (this.backlogDue && !this.closed) await this.drainBacklog();
  }

  /** Hands what an earlier outage (or an earlier watch) left in PostgreSQL to the queue. */
  private async drainBacklog(): Promise<void> {
    let drained = 0;
    // A long outage in a busy directory can leave many ids: one full pass then, not hundreds of jobs.
    const waiting = await this.deps.backlog.count();
    if (waiting > this.opts.holdLimit) {
      const cutoff = await this.deps.backlog.cutoff();
      await this.send({ kind: 'resync', org: this.deps.org, reason: `${waiting} CIC changes the watch could not hand over earlier` });
      await this.deps.backlog.clearNotedBy(cutoff);
      drained = waiting;
    }
    for (;;) {
      const page = await this.deps.backlog.page(this.opts.idsPerJob);
      if (!page.length) break;
      if (page.some((e) => e.cicId === FULL_PASS_ID)) {
        await this.send({ kind: 'resync', org: this.deps.org, reason: 'CIC changes the watch could not hand over earlier' });
      }
      const ids = page.filter((e) => e.cicId !== FULL_PASS_ID).map((e) => e.cicId);
      if (ids.length) await this.send({ kind: 'users-changed', org: this.deps.org, userIds: ids });
      await this.deps.backlog.clear(page);
      drained += page.length;
    }
    this.backlogDue = false;
    if (drained) this.deps.log.info('handed the recorded CIC changes to cic-events', { entries: drained });
  }

  /** Moves what is held to PostgreSQL; anything seen again meanwhile stays held. */
  private async persist(why: string): Promise<void> {
    const ids = [...this.held];
    const resync = this.resync;
    if (!ids.length && !resync) return;
    await this.deps.backlog.note(
      ids.map(([id]) => id),
      !!resync,
    );
    for (const [id, s] of ids) if (this.held.get(id) === s) this.held.delete(id);
    if (resync && this.resync?.seq === resync.seq) this.resync = undefined;
    this.backlogDue = true;
    this.deps.log.warn('recorded CIC changes in PostgreSQL: they reach the cloud with the next pass', {
      why,
      ids: ids.length,
      fullPass: !!resync,
    });
  }

  private async send(job: CicEventJob): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.deps.send(job),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`cic-events did not accept the job within ${this.opts.sendTimeoutMs} ms`)), this.opts.sendTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
