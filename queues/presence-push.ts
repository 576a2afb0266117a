import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database';
import {
  getPresenceSource,
  loadPresenceTargets,
  loadOverrides,
  recordPresenceOutcomes,
  recordPush,
  savePresenceSource,
  type PresenceOutcome,
} from '../db/presence';
import { explainPresence, findStatus, type CicStatusMessage, type PresenceDecision, type PresenceOverrides } from '../domain/presence-mapping';
import { GenesysApiError, type GenesysClient } from '../clients/genesys';
import { listStatusMessages } from '../clients/cic';
import { PAIRING_MISSING, type PairingContext } from '../activities/pairing-context';
import type { Logger } from '../lib/logger';
import type { LatestStatus, PresenceStore } from './presence-redis';

export const PRESENCE_SOURCE_NAME = 'cloud-bridge (PureConnect CIC)';

export interface PusherOptions {
  /** Jobs gather this long before a push (unless a full batch is waiting). */
  gatherMs: number;
  /** Users per bulk request (Genesys documents no bulk-write maximum; 50 is its bulk-read one). */
  bulkMax: number;
  maxInFlight: number;
  /** Pushes that may leave back to back after a quiet spell; the rest are spaced over the budget's window. */
  paceBurst: number;
  /** The request budget's window (Genesys's minute plus the budget's guard). */
  budgetWindowMs: number;
  /** Overrides are read again after this long (a `presence map` also tells the worker at once). */
  overridesTtlMs: number;
  catalogTtlMs: number;
}

export const defaultPusherOptions: PusherOptions = {
  gatherMs: 20,
  bulkMax: 50,
  maxInFlight: 8,
  paceBurst: 6,
  budgetWindowMs: 60_500,
  overridesTtlMs: 5_000,
  catalogTtlMs: 600_000,
};

interface PushItem {
  outcome: PresenceOutcome;
  genesysId: string;
  definitionId: string;
  primary: boolean;
  fresh: boolean;
}

interface Waiter {
  org: string;
  resolve(result: string): void;
  reject(err: Error): void;
}

/** A push failed for a reason a retry may fix; the job is retried by BullMQ with backoff. */
export class PresencePushFailed extends Error {
  override name = 'PresencePushFailed';
}

/**
 * Turns status jobs into bulk presence writes. Jobs wait here a short window so one request carries many
 * users; with a request budget the window stretches to the budget's pace (a GCRA cell per request, shared in
 * Redis by every worker process), so a burst of changes is spread over the minute instead of spending the
 * budget in seconds and then waiting for it. Each push reads the users' latest status at that moment, so a
 * job stands for every change since it was queued.
 */
export class PresencePusher {
  private readonly opts: PusherOptions;
  private readonly pending = new Map<string, { since: number; waiters: Waiter[] }>();
  private lastSentAt = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly loop: Promise<void>;
  private overrides: { value: PresenceOverrides; at: number } | undefined;
  private catalog: { value: CicStatusMessage[]; at: number } | undefined;
  private source: { org: string; id: string } | undefined;

  constructor(
    private readonly deps: { db: Db; store: PresenceStore; pairingContext: PairingContext; log: Logger; options?: Partial<PusherOptions> },
  ) {
    this.opts = { ...defaultPusherOptions, ...deps.options };
    this.loop = this.run().catch((err) => deps.log.error({ err: (err as Error).message }, 'the presence pusher stopped'));
  }

  /** Resolves once the user's latest status is in Genesys Cloud (or skipped with a reason). */
  submit(job: { org: string; userId: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      const p = this.pending.get(job.userId) ?? { since: Date.now(), waiters: [] };
      p.waiters.push({ org: job.org, resolve, reject });
      this.pending.set(job.userId, p);
      this.kick();
    });
  }

  /** The mapping or the catalog changed: read both again before the next push. */
  invalidate(): void {
    this.overrides = undefined;
    this.catalog = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.kick();
    await this.loop;
    for (const p of this.pending.values()) for (const w of p.waiters) w.reject(new PresencePushFailed('the presence worker is stopping'));
    this.pending.clear();
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private idle(): Promise<void> {
    return new Promise((r) => (this.wake = r));
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (!this.pending.size || this.inFlight >= this.opts.maxInFlight) {
        await this.idle();
        continue;
      }
      const { spacing, burst } = await this.cadence();
      // A batch leaves when full, or once its oldest user has gathered for `gatherMs` and (with a budget) the
      // last push is a pace step behind: a step spent on a handful of users would be missing from a full
      // batch later, and unspent steps build the burst that drains a sudden clump of changes.
      for (;;) {
        if (this.closed || this.pending.size >= this.opts.bulkMax) break;
        const oldest = this.pending.values().next().value?.since ?? Date.now();
        const due = Math.max(oldest + this.opts.gatherMs, this.lastSentAt + spacing);
        if (Date.now() >= due) break;
        await sleep(Math.min(10, due - Date.now()));
      }
      await this.pace(spacing, burst);
      if (this.closed) return;
      const batch = new Map<string, Waiter[]>();
      for (const [id, p] of this.pending) {
        batch.set(id, p.waiters);
        if (batch.size >= this.opts.bulkMax) break;
      }
      for (const id of batch.keys()) this.pending.delete(id);
      if (!batch.size) continue;
      this.lastSentAt = Date.now();
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.kick();
      });
    }
  }

  /** Ms between pushes the budget can sustain (0 without a limit), and how many may go back to back. */
  private async cadence(): Promise<{ spacing: number; burst: number }> {
    const limit = await this.deps.pairingContext
      .pairing()
      .then((p) => p.options.rateLimitPerMinute)
      .catch(() => 0);
    if (!limit) return { spacing: 0, burst: 0 };
    const burst = Math.max(1, Math.min(this.opts.paceBurst, limit - 1));
    // Any window-long stretch then holds at most `limit` pushes, burst included.
    return { spacing: this.opts.budgetWindowMs / Math.max(1, limit - burst), burst };
  }

  /** Waits for this push's cell in the budget's pace (shared by every worker process through Redis). */
  private async pace(spacing: number, burst: number): Promise<void> {
    if (!spacing) return;
    for (;;) {
      const wait = await this.deps.store.paceWait(spacing, burst).catch(() => 0);
      if (wait <= 0 || this.closed) return;
      await sleep(wait);
    }
  }

  private async mapping(): Promise<{ overrides: PresenceOverrides; catalog: CicStatusMessage[] }> {
    const now = Date.now();
    if (!this.overrides || now - this.overrides.at > this.opts.overridesTtlMs) {
      this.overrides = { value: await loadOverrides(this.deps.db), at: now };
    }
    if (!this.catalog || now - this.catalog.at > this.opts.catalogTtlMs) {
      // The watch keeps the catalog it subscribed to in Redis; without it, CIC is asked.
      let value = await this.deps.store.catalog().catch(() => undefined);
      if (!value) {
        value = await this.deps.pairingContext.withCic((s) => listStatusMessages(s)).catch((err) => {
          this.deps.log.warn({ err: (err as Error).message }, 'could not read the CIC status catalog; statuses are mapped by id alone');
          return undefined;
        });
        if (value) await this.deps.store.saveCatalog(value).catch(() => {});
      }
      if (value) this.catalog = { value, at: now };
      else return { overrides: this.overrides.value, catalog: [] };
    }
    return { overrides: this.overrides.value, catalog: this.catalog.value };
  }

  private async sourceId(org: string, genesys: GenesysClient): Promise<string> {
    if (this.source?.org === org) return this.source.id;
    const stored = await getPresenceSource(this.deps.db, org);
    if (stored) {
      this.source = { org, id: stored.sourceId };
      return stored.sourceId;
    }
    const created = await genesys.presence.ensureSource(PRESENCE_SOURCE_NAME, 'CIC user statuses, pushed by cloud-bridge');
    await savePresenceSource(this.deps.db, org, created.id, created.name);
    this.deps.log.info({ org, sourceId: created.id }, 'registered the bridge presence source');
    this.source = { org, id: created.id };
    return created.id;
  }

  private async runBatch(batch: Map<string, Waiter[]>): Promise<void> {
    const settle = (id: string, result: string | Error) => {
      for (const w of batch.get(id) ?? []) {
        if (result instanceof Error) w.reject(result);
        else w.resolve(result);
      }
    };
    try {
      let pairing;
      try {
        pairing = await this.deps.pairingContext.pairing();
      } catch (err) {
        if ((err as { type?: string }).type !== PAIRING_MISSING) throw err;
        for (const id of batch.keys()) settle(id, 'dropped: not paired (or being unpaired)');
        return;
      }
      const ids: string[] = [];
      for (const [id, waiters] of batch) {
        if (waiters.every((w) => w.org !== pairing.orgShortName)) settle(id, `dropped: paired with ${pairing.orgShortName} now`);
        else ids.push(id);
      }
      if (!ids.length) return;
      const [latest, targets, mapping, genesys] = await Promise.all([
        this.deps.store.latest(ids),
        loadPresenceTargets(this.deps.db, ids),
        this.mapping(),
        this.deps.pairingContext.genesys(),
      ]);
      const results = await this.decideAndPush(pairing.orgShortName, ids, latest, targets, mapping, genesys);
      for (const [id, r] of results) settle(id, r);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, users: batch.size }, 'presence push failed; the users are tried again');
      for (const id of batch.keys()) settle(id, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private async decideAndPush(
    org: string,
    ids: string[],
    latest: Map<string, LatestStatus>,
    targets: Awaited<ReturnType<typeof loadPresenceTargets>>,
    mapping: { overrides: PresenceOverrides; catalog: CicStatusMessage[] },
    genesys: GenesysClient,
  ): Promise<Map<string, string | Error>> {
    const results = new Map<string, string | Error>();
    const outcomes: PresenceOutcome[] = [];
    const items: PushItem[] = [];
    let sourceId: string | undefined;
    for (const id of ids) {
      const s = latest.get(id);
      if (!s) {
        results.set(id, 'no status known');
        continue;
      }
      const t = targets.get(id);
      const decision: PresenceDecision = s.loggedIn
        ? explainPresence(findStatus(mapping.catalog, s.statusId) ?? { statusId: s.statusId }, mapping.overrides)
        : { presence: 'Offline', because: 'logged out of CIC' };
      const outcome: PresenceOutcome = {
        cicId: id,
        statusId: s.statusId,
        loggedIn: s.loggedIn,
        seenAt: new Date(s.seenAt),
        seq: s.seq,
        presence: decision.presence,
        because: decision.because,
      };
      outcomes.push(outcome);
      if (!t?.genesysId) {
        outcome.skippedReason = t?.linkState === 'not-synced' || t?.linkState === 'conflict' ? `not linked (${t.linkState})` : 'not linked to a Genesys Cloud user yet';
        results.set(id, `skipped: ${outcome.skippedReason}`);
        continue;
      }
      if (t.linkActive === false) {
        outcome.skippedReason = 'the Genesys Cloud user is deactivated';
        results.set(id, `skipped: ${outcome.skippedReason}`);
        continue;
      }
      sourceId ??= await this.sourceId(org, genesys);
      const definitionId = await genesys.presence.resolveSystemPresence(decision.presence);
      const primary = !(t.primarySourceId === sourceId && t.pushedGenesysId === t.genesysId);
      if (!primary && t.pushedDefinitionId === definitionId) {
        outcome.pushed = { presence: decision.presence, definitionId, genesysId: t.genesysId, sourceId, at: null, lagMs: null };
        results.set(id, `unchanged: ${decision.presence}`);
        continue;
      }
      // Lag counts from a status change to its push; a remap or a late link is not a change.
      items.push({ outcome, genesysId: t.genesysId, definitionId, primary, fresh: t.handledSeq === null || t.handledSeq < s.seq });
    }
    if (items.length && sourceId) {
      const failed = await this.push(genesys, sourceId, items);
      const at = new Date();
      for (const it of items) {
        const err = failed.get(it.outcome.cicId);
        if (err) {
          it.outcome.error = err.message;
          results.set(it.outcome.cicId, err);
        } else {
          it.outcome.pushed = {
            presence: it.outcome.presence!,
            definitionId: it.definitionId,
            genesysId: it.genesysId,
            sourceId,
            at,
            lagMs: it.fresh ? Math.max(0, at.getTime() - it.outcome.seenAt.getTime()) : null,
          };
          results.set(it.outcome.cicId, `pushed: ${it.outcome.presence}`);
        }
      }
    }
    await recordPresenceOutcomes(this.deps.db, outcomes);
    return results;
  }

  /**
   * One bulk write; only if bulk refuses the batch outright (a user gone from the org, say) does each user go by
   * its own PATCH, so one bad user costs its own write and not the others'. Retryable failures (429, 5xx,
   * timeouts) have been retried by the client already and go back to BullMQ.
   */
  private async push(
    genesys: GenesysClient,
    sourceId: string,
    items: PushItem[],
  ): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    const change = (it: (typeof items)[number]) => ({ definitionId: it.definitionId, ...(it.primary ? { primary: true } : {}) });
    try {
      await genesys.presence.setPresenceBulk(items.map((it) => ({ userId: it.genesysId, sourceId, ...change(it) })));
      await recordPush(this.deps.db, { users: items.length, requests: 1, failed: 0 });
      return failed;
    } catch (err) {
      if (!(err instanceof GenesysApiError) || err.retryable) {
        const e = new PresencePushFailed(`bulk presence write failed: ${(err as Error).message}`);
        for (const it of items) failed.set(it.outcome.cicId, e);
        await recordPush(this.deps.db, { users: items.length, requests: 1, failed: items.length, error: e.message }).catch(() => {});
        return failed;
      }
      this.deps.log.warn({ err: err.message, users: items.length }, 'bulk presence write refused; writing each user on its own');
    }
    let requests = 1;
    let lastError: string | undefined;
    for (const it of items) {
      requests++;
      try {
        await genesys.presence.setPresence(it.genesysId, sourceId, change(it));
      } catch (err) {
        lastError = (err as Error).message;
        failed.set(it.outcome.cicId, err instanceof GenesysApiError && !err.retryable ? new NonRetryablePushError(lastError) : new PresencePushFailed(lastError));
        if (err instanceof GenesysApiError && err.status === 404 && /source/i.test(err.message)) this.forgetSource();
      }
    }
    await recordPush(this.deps.db, { users: items.length, requests, failed: failed.size, error: lastError ?? null });
    return failed;
  }

  private forgetSource(): void {
    if (!this.source) return;
    const org = this.source.org;
    this.source = undefined;
    void this.deps.db.deleteFrom('presence_source').where('org_short_name', '=', org).execute();
  }
}

/** Genesys refused this user's presence for good (e.g. the user is gone): retried only by the periodic sweep. */
export class NonRetryablePushError extends Error {
  override name = 'NonRetryablePushError';
}
