import { createLogger } from '../../lib/logger';
import type { IcwsMessage } from './messages';
import { messages } from './messaging';
import type { IcwsSession } from './session';
import { subscribeQueues, subscribeStatusMessages, subscribeUsers, subscribeUserStatuses } from './subscriptions';
import type { QueueId, StatusMessage } from './types';
import { catalogEvent, interactionEvents, statusEvents, userEvents, type CicWatchEvent } from './watch-events';

const log = createLogger('cic-watch');

export interface WatchSubscriptions {
  users?: boolean;
  /** Properties the users subscription reports (default `defaultUserProperties`); ICWS refuses `*` here. */
  userProperties?: string[];
  /** `all-users` follows the directory: users added later are watched too. */
  statuses?: string[] | 'all-users';
  /** `userQueues` adds every watched user's own queue, following the directory as `all-users` does. */
  queues?: { subscriptionId?: string; queueIds: QueueId[]; attributeNames: string[]; userQueues?: boolean };
  /** The status catalog, reported whole (`status-catalog`) at first and after each change. */
  statusMessages?: boolean;
}

export interface WatchSessionOptions {
  subscribe: WatchSubscriptions;
  onEvent: (event: CicWatchEvent) => void | Promise<void>;
  signal: AbortSignal;
  mode?: 'auto' | 'sse' | 'poll';
  pollIntervalMs?: number;
  /** How long an event stream may stay silent (not even a ping) before the session is given up. */
  sseIdleTimeoutMs?: number;
}

const usersSubscriptionId = 'cloud-bridge-users';

/**
 * Subscribes on one session and pumps its messages to `onEvent` until the session ends (it throws) or the
 * signal aborts (it returns). `lastStatus` outlives the session so a reconnect does not repeat statuses.
 */
export async function runWatchSession(
  session: IcwsSession,
  opts: WatchSessionOptions,
  lastStatus: Map<string, string>,
  onSubscribed: () => Promise<void>,
): Promise<void> {
  const { subscribe, signal } = opts;
  const followAll = subscribe.statuses === 'all-users';
  const followQueues = !!subscribe.queues?.userQueues;
  // Following all users' statuses (or queues) needs the directory's ids and additions, which the users subscription gives.
  if (subscribe.users || followAll || followQueues) {
    await subscribeUsers(
      session,
      usersSubscriptionId,
      subscribe.users ? subscribe.userProperties : ['configurationId'],
    );
  }
  if (Array.isArray(subscribe.statuses)) await subscribeUserStatuses(session, subscribe.statuses);
  if (subscribe.statusMessages) await subscribeStatusMessages(session);
  // Following users' queues, the subscription is made once the directory is known (its first message).
  if (subscribe.queues && (subscribe.queues.queueIds.length || !followQueues)) {
    const q = subscribe.queues;
    await subscribeQueues(session, q.subscriptionId ?? 'cloud-bridge-queues', q.queueIds, q.attributeNames);
  }
  await onSubscribed();
  const watchedIds = new Map<string, string>();
  const catalog = new Map<string, StatusMessage>();
  for await (const message of messages(session, {
    mode: opts.mode,
    pollIntervalMs: opts.pollIntervalMs,
    idleTimeoutMs: opts.sseIdleTimeoutMs,
    signal,
  })) {
    let events: CicWatchEvent[] = [];
    if (message.kind === 'users') {
      if ((followAll || followQueues) && trackIds(message, watchedIds)) {
        if (followAll) await subscribeUserStatuses(session, [...watchedIds.values()]);
        if (followQueues) await subscribeWatchedQueues(session, subscribe.queues!, watchedIds);
      }
      if (subscribe.users) events = userEvents(message);
    } else if (message.kind === 'user-statuses') events = statusEvents(message, lastStatus);
    else if (message.kind === 'queue-contents') events = interactionEvents(message);
    else if (message.kind === 'status-messages') events = [catalogEvent(message, catalog)];
    else log.debug({ type: message.type }, 'ignored ICWS message');
    for (const event of events) await opts.onEvent(event);
  }
}

/** The given queues plus each watched user's own queue (ICWS queue type 1), as one subscription. */
async function subscribeWatchedQueues(session: IcwsSession, q: NonNullable<WatchSubscriptions['queues']>, ids: Map<string, string>) {
  const users = [...ids.values()].map((queueName) => ({ queueType: 1 as const, queueName }));
  await subscribeQueues(session, q.subscriptionId ?? 'cloud-bridge-queues', [...q.queueIds, ...users], q.attributeNames);
}

/** Keeps the id set in step with the directory; true when users were added, i.e. the status watch must widen. */
function trackIds(message: IcwsMessage & { kind: 'users' }, ids: Map<string, string>): boolean {
  if (!message.isDelta) ids.clear();
  for (const r of message.removed) ids.delete(r.configurationId.id.toLowerCase());
  let grew = false;
  for (const r of message.added) {
    const key = r.configurationId.id.toLowerCase();
    if (!ids.has(key)) grew = true;
    ids.set(key, r.configurationId.id);
  }
  return grew;
}
