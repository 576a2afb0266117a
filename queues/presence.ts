import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/database';
import { getPairing } from '../db/pairing';
import { handledSeqs, prunePushes, usersToRetry } from '../db/presence';
import type { PairingContext } from '../activities/pairing-context';
import { createLogger } from '../lib/logger';
import { createPresenceQueue, presenceQueueName, statusJob, type PresenceJob } from './presence-queue';
import { presenceStore } from './presence-redis';
import { NonRetryablePushError, PresencePusher, type PusherOptions } from './presence-push';

const log = createLogger('presence');

export interface PresenceWorkerOptions {
  /** How often users whose push is behind (missed jobs, errors) are queued again. */
  reconcileMs: number;
  /** How often users skipped for want of a link are checked for one. */
  linkSweepMs: number;
  concurrency: number;
  pusher?: Partial<PusherOptions>;
}

export const defaultPresenceWorkerOptions: PresenceWorkerOptions = { reconcileMs: 60_000, linkSweepMs: 2_000, concurrency: 1_000 };

export interface PresenceWorkerHandle {
  worker: Worker<PresenceJob>;
  /** Resolves when the first reconciliation (the worker's first act) has queued what was behind. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The presence lane's consumer. Jobs wait in the pusher until a batch leaves, so concurrency is the number of
 * users that may be on their way at once, not a number of parallel requests. Its first act, and then once a
 * minute, is a reconciliation: every user whose latest status (in Redis) is newer than the last one handled
 * (in PostgreSQL), or whose last push failed, or who was skipped unlinked and is linked now, is queued again,
 * so a crash, a lost job or a late link never leaves a stale presence behind for long.
 */
export function startPresenceWorker(deps: {
  db: Db;
  connection: Redis;
  prefix: string;
  pairingContext: PairingContext;
  options?: Partial<PresenceWorkerOptions>;
}): PresenceWorkerHandle {
  const opts = { ...defaultPresenceWorkerOptions, ...deps.options };
  const redis = deps.connection.duplicate();
  const store = presenceStore(redis, deps.prefix);
  const queue = createPresenceQueue(redis, deps.prefix);
  const pusher = new PresencePusher({ db: deps.db, store, pairingContext: deps.pairingContext, log, options: opts.pusher });

  async function enqueue(org: string, ids: string[]): Promise<number> {
    for (let i = 0; i < ids.length; i += 1000) await queue.addBulk(ids.slice(i, i + 1000).map((id) => statusJob(org, id)));
    return ids.length;
  }

  async function currentOrg(): Promise<string | undefined> {
    return (await getPairing(deps.db))?.orgShortName;
  }

  /** Every user whose latest status is newer than what was handled, plus failed and newly linked users. */
  async function reconcile(opts: { all?: boolean } = {}): Promise<number> {
    const org = await currentOrg();
    if (!org) return 0;
    const handled = opts.all ? new Map<string, number>() : await handledSeqs(deps.db);
    let queued = 0;
    for await (const page of store.scanLatest()) {
      queued += await enqueue(
        org,
        page.filter(([id, s]) => (handled.get(id) ?? -1) < s.seq).map(([id]) => id),
      );
    }
    queued += await enqueue(org, await usersToRetry(deps.db, { errors: true }));
    return queued;
  }

  const worker = new Worker<PresenceJob>(
    presenceQueueName,
    async (job) => {
      if (job.data.kind === 'remap') {
        pusher.invalidate();
        const n = await reconcile({ all: true });
        log.info({ reason: job.data.reason, users: n }, 'presence mapping changed: every known user looked at again');
        return `remapped ${n}`;
      }
      try {
        return await pusher.submit(job.data);
      } catch (err) {
        if (err instanceof NonRetryablePushError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: opts.concurrency,
      // A killed worker's jobs come back within seconds, not the default half minute.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 5,
    },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'presence worker error'));

  let stopped = false;
  const periodic = (what: string, ms: number, fn: () => Promise<unknown>) => {
    let timer: NodeJS.Timeout;
    const tick = async () => {
      await fn().catch((err) => log.warn({ err: (err as Error).message }, `presence ${what} failed`));
      if (!stopped) timer = setTimeout(tick, ms);
    };
    timer = setTimeout(tick, ms);
    return () => clearTimeout(timer);
  };
  const ready = reconcile()
    .then((n) => {
      if (n) log.info({ users: n }, 'presence: queued the users whose pushed presence is unknown or behind');
    })
    .catch((err) => log.warn({ err: (err as Error).message }, 'presence: first reconciliation failed; the next one retries'));
  const timers = [
    periodic('reconciliation', opts.reconcileMs, async () => {
      await reconcile();
      await prunePushes(deps.db);
    }),
    periodic('link sweep', opts.linkSweepMs, async () => {
      const org = await currentOrg();
      if (org) await enqueue(org, await usersToRetry(deps.db, { errors: false, limit: 2_000 }));
    }),
  ];

  return {
    worker,
    ready,
    async close() {
      stopped = true;
      for (const stop of timers) stop();
      // Jobs still gathering are pushed if that is quick; otherwise they fail here and are retried later.
      const closing = worker.close();
      await Promise.race([closing, new Promise((r) => setTimeout(r, 5_000))]);
      await pusher.close();
      await closing;
      await queue.close();
      redis.disconnect();
    },
  };
}
