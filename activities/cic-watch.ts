import { Context } from '@temporalio/activity';
import type { Queue } from 'bullmq';
import type { Db } from '../db/database';
import { snapshotDifferences } from '../db/directory';
import { backlogCutoff, backlogPage, clearBacklog, clearBacklogNotedBy, countBacklog, noteBacklog } from '../db/watch-backlog';
import { MAPPED_RECORD_PATHS, recordHash } from './record-hash';
import { watchCic, type CicWatchEvent, type CicWatchState, type IcwsUserRecord } from '../clients/cic';
import { SecretBox } from '../lib/secrets';
import type { CicEventJob } from '../queues/cic-events';
import type { PairingContext } from './pairing-context';
import { BRIDGE_APPLICATION_NAME } from './pairing-context';
import { WatchHandoff } from './watch-handoff';
import { PresenceIntake } from '../queues/presence-intake';
import type { PresenceJob } from '../queues/presence-queue';
import type { PresenceStore } from '../queues/presence-redis';
import { ConduitCapture } from './conduit-capture';

export interface CicWatchDeps {
  db: Db;
  pairingContext: PairingContext;
  cicEvents: Queue<CicEventJob>;
  presenceQueue: Queue<PresenceJob>;
  presenceStore: PresenceStore;
  secretKey: string | undefined;
}

/** Above this many differences a reconnect snapshot asks for a full pass instead of per-user deltas. */
const SNAPSHOT_DELTA_LIMIT = 500;
/** Snapshot records hashed and sent to PostgreSQL at a time. */
const SNAPSHOT_PAGE = 5_000;

/**
 * Holds the one ICWS watch session of the pairing for as long as it runs. It is a single heartbeating
 * activity, so exactly one bridge holds it; if its worker dies, the heartbeat times out and Temporal starts it
 * on another worker. Changes leave through the cic-events queue as user ids, never as personal data, by a
 * lossless hand-off (watch-handoff.ts): ids are let go only once the queue, or failing that PostgreSQL's
 * watch_backlog, has them.
 */
export function createCicWatchActivities(deps: CicWatchDeps) {
  return {
    async watchCicDirectory(input: { orgShortName: string }): Promise<void> {
      const ctx = Context.current();
      const pairing = await deps.pairingContext.pairing({ fresh: true });
      let state: CicWatchState = { state: 'reconnecting', attempt: 0 };
      const handoff = new WatchHandoff({
        org: input.orgShortName,
        send: async (job) => {
          await deps.cicEvents.add(job.kind, job);
        },
        backlog: {
          note: (ids, fullPass) => noteBacklog(deps.db, ids, fullPass),
          page: (limit) => backlogPage(deps.db, limit),
          clear: (entries) => clearBacklog(deps.db, entries),
          count: async () => (await countBacklog(deps.db)).ids,
          cutoff: () => backlogCutoff(deps.db),
          clearNotedBy: async (cutoff) => void (await clearBacklogNotedBy(deps.db, cutoff)),
        },
        log: ctx.log,
      });
      const presence = new PresenceIntake({ org: input.orgShortName, store: deps.presenceStore, queue: deps.presenceQueue, log: ctx.log });
      const conduit = new ConduitCapture({ db: deps.db, log: ctx.log, enabled: pairing.options.conduitEnabled });
      const details = () => ({ ...state, pending: handoff.pending, presencePending: presence.pending, conduitPending: conduit.pending });
      const beat = setInterval(() => ctx.heartbeat(details()), 2000);
      const onEvent = async (event: CicWatchEvent) => {
        if (event.kind === 'user-added' || event.kind === 'user-changed' || event.kind === 'user-removed') {
          handoff.add([event.userId]);
        } else if (event.kind === 'status-changed') {
          presence.add({ userId: event.userId, statusId: event.statusId, loggedIn: event.loggedIn, initial: event.initial });
        } else if (event.kind === 'status-catalog') {
          await presence.catalog(event.statusMessages);
        } else if (event.kind === 'users-snapshot') {
          await onSnapshot(deps.db, handoff, event.records);
        } else if (event.kind === 'interaction') await conduit.add(event);
      };
      try {
        await watchCic({
          servers: pairing.cicServers,
          userId: pairing.cicUserId,
          password: new SecretBox(deps.secretKey).open(pairing.cicPasswordSealed),
          applicationName: `${BRIDGE_APPLICATION_NAME} watch`,
          // Only what the mapping reads: a reconnect snapshot of a large directory stays small.
          // Statuses of every user, following additions, and the status catalog: the presence lane's intake;
          // the users' and workgroups' queues when the Conduit is on.
          subscribe: {
            users: true,
            userProperties: MAPPED_RECORD_PATHS,
            statuses: 'all-users',
            statusMessages: true,
            queues: ConduitCapture.subscription(pairing),
          },
          onEvent,
          onState: (s) => {
            state = s;
            ctx.log.info('CIC watch state', { state: s.state, server: s.server, attempt: s.attempt, reason: s.reason });
            ctx.heartbeat(details());
          },
          signal: AbortSignal.any([ctx.cancellationSignal, conduit.signal]),
        });
        if (conduit.signal.aborted && !ctx.cancellationSignal.aborted) throw new Error('the Conduit option changed: the watch reconnects');
        // watchCic returns when cancelled: report the cancellation (after the last batch is queued, below),
        // so a cancelled watch workflow ends as cancelled rather than completed.
        ctx.cancellationSignal.throwIfAborted();
      } catch (err) {
        // A wrong PureCloudAdmin password is for an operator to fix in CIC; the watch keeps trying meanwhile.
        if ((err as Error).name === 'CicAuthenticationFailed') throw new Error(`CIC refused the bridge's credentials: ${(err as Error).message}`);
        throw err;
      } finally {
        // Whatever is not handed over by now goes to PostgreSQL, for the next pass (or the next watch).
        await Promise.all([handoff.close(), presence.close(), conduit.close()]);
        clearInterval(beat);
      }
    },
  };
}

/**
 * A (re)connect repeats the whole directory: only users that differ from the staged snapshot are news. The
 * records carry exactly the properties a directory read selects, so recordHash gives what staging stored.
 */
export async function onSnapshot(db: Db, handoff: Pick<WatchHandoff, 'add' | 'requestFullPass'>, records: readonly IcwsUserRecord[]): Promise<void> {
  function* pages() {
    for (let i = 0; i < records.length; i += SNAPSHOT_PAGE) {
      const page = records.slice(i, i + SNAPSHOT_PAGE).filter((r) => r.configurationId?.id);
      yield { cicIds: page.map((r) => r.configurationId.id), hashes: page.map((r) => recordHash(r)) };
    }
  }
  const diff = await snapshotDifferences(db, pages(), SNAPSHOT_DELTA_LIMIT + 1);
  if (diff.count > SNAPSHOT_DELTA_LIMIT) handoff.requestFullPass(`CIC watch snapshot differs for ${diff.count} users`);
  else if (diff.count) handoff.add(diff.cicIds);
}
