import type { InteractionAttributes, IcwsUserRecord, StatusMessage, UserStatus } from './types';

export const usersMessageType = 'urn:inin.com:configuration.people:usersMessage';
export const userStatusMessageType = 'urn:inin.com:status:userStatusMessage';
export const statusMessagesMessageType = 'urn:inin.com:status:statusMessagesMessage';
export const queueContentsMessageType = 'urn:inin.com:queues:queueContentsMessage';

/**
 * A message from `GET /messaging/messages`, tagged by `kind` for the three subscriptions the bridge makes.
 * `changed` users carry the configurationId and only the properties that changed (null = cleared); anything
 * else passes through as `other` with its `__type`.
 */
export type IcwsMessage =
  | {
      kind: 'users';
      subscriptionId?: string;
      isDelta: boolean;
      added: IcwsUserRecord[];
      changed: IcwsUserRecord[];
      removed: { configurationId: { id: string } }[];
    }
  | { kind: 'user-statuses'; isDelta: boolean; userStatusList: UserStatus[] }
  | { kind: 'status-messages'; isDelta: boolean; added: StatusMessage[]; changed: StatusMessage[]; removed: string[] }
  | {
      kind: 'queue-contents';
      subscriptionId?: string;
      isDelta: boolean;
      interactionsAdded: InteractionAttributes[];
      interactionsChanged: InteractionAttributes[];
      interactionsRemoved: string[];
    }
  | { kind: 'other'; type: string; body: Record<string, unknown> };

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Tolerates missing collections and removed users given as bare ids, which some server versions send. */
export function parseMessage(raw: unknown): IcwsMessage {
  const m = (raw ?? {}) as Record<string, unknown>;
  const type = String(m.__type ?? '');
  const isDelta = m.isDelta !== false;
  const subscriptionId = typeof m.subscriptionId === 'string' ? m.subscriptionId : undefined;
  switch (type) {
    case usersMessageType:
      return {
        kind: 'users',
        subscriptionId,
        isDelta,
        added: list(m.added),
        changed: list(m.changed),
        removed: list<unknown>(m.removed).map((r) =>
          typeof r === 'string' ? { configurationId: { id: r } } : (r as { configurationId: { id: string } }),
        ),
      };
    case userStatusMessageType:
      return { kind: 'user-statuses', isDelta, userStatusList: list(m.userStatusList) };
    case statusMessagesMessageType:
      return {
        kind: 'status-messages',
        isDelta,
        added: list(m.statusMessagesAdded),
        changed: list(m.statusMessagesChanged),
        removed: list<unknown>(m.statusMessagesRemoved).map((r) =>
          typeof r === 'string' ? r : String((r as { statusId?: unknown }).statusId),
        ),
      };
    case queueContentsMessageType:
      return {
        kind: 'queue-contents',
        subscriptionId,
        isDelta,
        interactionsAdded: list(m.interactionsAdded),
        interactionsChanged: list(m.interactionsChanged),
        interactionsRemoved: list<unknown>(m.interactionsRemoved).map((r) =>
          typeof r === 'string' ? r : String((r as { interactionId?: unknown }).interactionId),
        ),
      };
    default:
      return { kind: 'other', type, body: m };
  }
}
