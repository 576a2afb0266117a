import type { IcwsMessage } from './messages';
import { icwsDateToIso, type IcwsUserRecord, type StatusMessage } from './types';

/**
 * What the watch loop hands on. `user-changed` carries the configurationId and only the properties that
 * changed, a cleared one as null; `initial` marks state reported by a new subscription rather than a change.
 */
export type CicWatchEvent =
  | { kind: 'users-snapshot'; records: IcwsUserRecord[] }
  | { kind: 'user-added'; userId: string; record: IcwsUserRecord }
  | { kind: 'user-changed'; userId: string; record: IcwsUserRecord }
  | { kind: 'user-removed'; userId: string }
  | {
      kind: 'status-changed';
      userId: string;
      statusId: string;
      loggedIn: boolean;
      onPhone: boolean;
      at: string;
      initial: boolean;
    }
  /** The whole status catalog after a change (or as a new subscription first reports it). */
  | { kind: 'status-catalog'; statusMessages: StatusMessage[]; initial: boolean }
  | {
      kind: 'interaction';
      change: 'added' | 'changed' | 'removed';
      interactionId: string;
      attributes: Record<string, string>;
      subscriptionId?: string;
      at: string;
      initial: boolean;
    };

export function userEvents(message: IcwsMessage & { kind: 'users' }): CicWatchEvent[] {
  if (!message.isDelta) return [{ kind: 'users-snapshot', records: message.added }];
  return [
    ...message.added.map((record) => ({
      kind: 'user-added' as const,
      userId: record.configurationId.id,
      record,
    })),
    ...message.changed.map((record) => ({
      kind: 'user-changed' as const,
      userId: record.configurationId.id,
      record,
    })),
    ...message.removed.map((r) => ({ kind: 'user-removed' as const, userId: r.configurationId.id })),
  ];
}

/**
 * Status events, skipping users whose status, login and phone state are what was last reported: a
 * re-subscription (reconnect, widened user list) repeats everyone's status, and presence only needs changes.
 */
export function statusEvents(
  message: IcwsMessage & { kind: 'user-statuses' },
  last: Map<string, string>,
): CicWatchEvent[] {
  const events: CicWatchEvent[] = [];
  for (const s of message.userStatusList) {
    const key = s.userId.toLowerCase();
    const fingerprint = JSON.stringify([
      s.statusId,
      s.loggedIn ?? false,
      s.onPhone ?? false,
      s.statusChanged,
    ]);
    if (last.get(key) === fingerprint) continue;
    last.set(key, fingerprint);
    events.push({
      kind: 'status-changed',
      userId: s.userId,
      statusId: s.statusId,
      loggedIn: s.loggedIn ?? false,
      onPhone: s.onPhone ?? false,
      at: icwsDateToIso(s.statusChanged) ?? new Date().toISOString(),
      initial: !message.isDelta,
    });
  }
  return events;
}

export function interactionEvents(message: IcwsMessage & { kind: 'queue-contents' }): CicWatchEvent[] {
  const at = new Date().toISOString();
  const base = { subscriptionId: message.subscriptionId, at, initial: !message.isDelta };
  return [
    ...message.interactionsAdded.map((i) => ({
      kind: 'interaction' as const,
      change: 'added' as const,
      interactionId: i.interactionId,
      attributes: i.attributes ?? {},
      ...base,
    })),
    ...message.interactionsChanged.map((i) => ({
      kind: 'interaction' as const,
      change: 'changed' as const,
      interactionId: i.interactionId,
      attributes: i.attributes ?? {},
      ...base,
    })),
    ...message.interactionsRemoved.map((id) => ({
      kind: 'interaction' as const,
      change: 'removed' as const,
      interactionId: id,
      attributes: {},
      ...base,
    })),
  ];
}

/** Keeps the catalog (status id, lower-cased → message) in step and reports it whole. */
export function catalogEvent(message: IcwsMessage & { kind: 'status-messages' }, catalog: Map<string, StatusMessage>): CicWatchEvent {
  if (!message.isDelta) catalog.clear();
  for (const s of [...message.added, ...message.changed]) catalog.set(s.statusId.toLowerCase(), s);
  for (const id of message.removed) catalog.delete(id.toLowerCase());
  return { kind: 'status-catalog', statusMessages: [...catalog.values()], initial: !message.isDelta };
}
