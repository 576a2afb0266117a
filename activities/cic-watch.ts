import { Context } from '@temporalio/activity';
import type { Queue } from 'bullmq';
import type { Db } from '../db/database';
import { recordHash } from './record-hash';
import { watchCic, type CicWatchEvent, type CicWatchState } from '../clients/cic';
import { SecretBox } from '../lib/secrets';
import type { CicEventJob } from '../queues/cic-events';
import type { PairingContext } from './pairing-context';
import { BRIDGE_APPLICATION_NAME } from './pairing-context';

export interface CicWatchDeps {
  db: Db;
  pairingContext: PairingContext;
  cicEvents: Queue<CicEventJob>;
  secretKey: string | undefined;
}

/** Above this many differences a reconnect snapshot asks for a full pass instead of per-user deltas. */
const SNAPSHOT_DELTA_LIMIT = 500;
const BATCH_MS = 25;

/**
 * Holds the one ICWS watch session of the pairing for as long as it runs. It is a single heartbeating
 * activity, so exactly one bridge holds it; if its worker dies, the heartbeat times out and Temporal starts it
 * on another worker. Changes leave through the cic-events queue as user ids, never as personal data.
 */
export function createCicWatchActivities(deps: CicWatchDeps) {
  return {
    async watchCicDirectory(input: { orgShortName: string }): Promise<void> {
      const ctx = Context.current();
      const pairing = await deps.pairingContext.pairing({ fresh: true });
      let state: CicWatchState = { state: 'reconnecting', attempt: 0 };
      const beat = setInterval(() => ctx.heartbeat({ ...state }), 2000);
      let batch = new Set<string>();
      let flushTimer: NodeJS.Timeout | undefined;
      const flush = async () => {
        flushTimer = undefined;
        if (!batch.size) return;
        const userIds = [...batch];
        batch = new Set();
        await deps.cicEvents.add('users-changed', { kind: 'users-changed', org: input.orgShortName, userIds });
      };
      const onEvent = async (event: CicWatchEvent) => {
        if (event.kind === 'user-added' || event.kind === 'user-changed' || event.kind === 'user-removed') {
          batch.add(event.userId);
          flushTimer ??= setTimeout(() => void flush().catch((err) => ctx.log.warn('cic-events enqueue failed', { err })), BATCH_MS);
        } else if (event.kind === 'users-snapshot') {
          await onSnapshot(deps, input.orgShortName, event.records);
        }
      };
      try {
        await watchCic({
          servers: pairing.cicServers,
          userId: pairing.cicUserId,
          password: new SecretBox(deps.secretKey).open(pairing.cicPasswordSealed),
          applicationName: `${BRIDGE_APPLICATION_NAME} watch`,
          subscribe: { users: true },
          onEvent,
          onState: (s) => {
            state = s;
            ctx.log.info('CIC watch state', { state: s.state, server: s.server, attempt: s.attempt, reason: s.reason });
            ctx.heartbeat({ ...s });
          },
          signal: ctx.cancellationSignal,
        });
        // watchCic returns when cancelled: report the cancellation (after the last batch is queued, below),
        // so a cancelled watch workflow ends as cancelled rather than completed.
        ctx.cancellationSignal.throwIfAborted();
      } catch (err) {
        // A wrong PureCloudAdmin password is for an operator to fix in CIC; the watch keeps trying meanwhile.
        if ((err as Error).name === 'CicAuthenticationFailed') throw new Error(`CIC refused the bridge's credentials: ${(err as Error).message}`);
        throw err;
      } finally {
        clearInterval(beat);
        if (flushTimer) clearTimeout(flushTimer);
        await flush();
      }
    },
  };
}

/** A (re)connect repeats the whole directory: only users that differ from the staged snapshot are news. */
async function onSnapshot(deps: CicWatchDeps, org: string, records: Parameters<typeof recordHash>[0][]) {
  const staged = new Map(
    (await deps.db.selectFrom('cic_users').select(['cic_id', 'content_hash', 'present']).execute()).map((r) => [r.cic_id, r]),
  );
  const changed: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const id = record.configurationId!.id!;
    seen.add(id);
    const hash = recordHash(record);
    const row = staged.get(id);
    if (!row || !row.present || row.content_hash !== hash) changed.push(id);
  }
  for (const [id, row] of staged) if (row.present && !seen.has(id)) changed.push(id);
  if (changed.length > SNAPSHOT_DELTA_LIMIT) {
    await deps.cicEvents.add('resync', { kind: 'resync', org, reason: `CIC watch snapshot differs for ${changed.length} users` });
  } else if (changed.length) {
    await deps.cicEvents.add('users-changed', { kind: 'users-changed', org, userIds: changed });
  }
}
