import type { IcwsSession } from './session';
import type { QueueId } from './types';

/**
 * Properties the user subscription watches by default: everything the bridge syncs. ICWS refuses `*` for
 * properties when `configurationIds` is `*`, so they are named.
 */
export const defaultUserProperties = ['configurationId', 'personalInformationProperties', 'lastModifiedDate'];

const usersPath = (id: string) => `/messaging/subscriptions/configuration/users/${encodeURIComponent(id)}`;
const queuesPath = (id: string) => `/messaging/subscriptions/queues/${encodeURIComponent(id)}`;
const statusesPath = '/messaging/subscriptions/status/user-statuses';

/** Watches every user: the first message is the whole directory (`isDelta: false`), later ones are deltas. */
export async function subscribeUsers(
  session: IcwsSession,
  subscriptionId: string,
  properties = defaultUserProperties,
): Promise<void> {
  await session.request('PUT', usersPath(subscriptionId), {
    body: { configurationIds: ['*'], properties, rightsFilter: 'view' },
  });
}

export async function unsubscribeUsers(session: IcwsSession, subscriptionId: string): Promise<void> {
  await session.request('DELETE', usersPath(subscriptionId));
}

/** Watches the statuses of these users; send the whole list each time, it replaces the previous one. */
export async function subscribeUserStatuses(session: IcwsSession, userIds: string[]): Promise<void> {
  await session.request('PUT', statusesPath, { body: { userIds } });
}

export async function unsubscribeUserStatuses(session: IcwsSession): Promise<void> {
  await session.request('DELETE', statusesPath);
}

/** Watches the status catalog: the first message lists every status message, later ones the changes. */
export async function subscribeStatusMessages(session: IcwsSession): Promise<void> {
  await session.request('PUT', '/messaging/subscriptions/status/status-messages', { body: {} });
}

/** Watches the interactions on these queues, reporting the named attributes. */
export async function subscribeQueues(
  session: IcwsSession,
  subscriptionId: string,
  queueIds: QueueId[],
  attributeNames: string[],
): Promise<void> {
  await session.request('PUT', queuesPath(subscriptionId), { body: { queueIds, attributeNames } });
}

export async function unsubscribeQueues(session: IcwsSession, subscriptionId: string): Promise<void> {
  await session.request('DELETE', queuesPath(subscriptionId));
}
