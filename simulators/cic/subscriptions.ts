import { queueKey, type CicEvent, type InteractionSnapshot } from './events';
import type { InteractionStore } from './interactions';
import type { Subscription } from './session';
import type { DirectoryStore, UserStatus } from './store';
import { project, type Selection } from './user-query';
import type { CicUserRecord } from './user-record';

export const usersMessageType = 'urn:inin.com:configuration.people:usersMessage';
export const userStatusMessageType = 'urn:inin.com:status:userStatusMessage';
export const statusMessagesMessageType = 'urn:inin.com:status:statusMessagesMessage';
export const queueContentsMessageType = 'urn:inin.com:queues:queueContentsMessage';

/**
 * `messaging/subscriptions/configuration/users/{subscriptionId}`. The first message lists every watched user
 * under `added` with null properties left out; later ones carry, under `changed`, the configurationId plus each
 * watched property that changed — a changed object property is sent whole, with cleared fields as null, and a
 * cleared property is null. `removed` holds `{configurationId}` objects, as real servers send them.
 */
export class UsersSubscription implements Subscription {
  readonly key: string;

  constructor(
    readonly subscriptionId: string,
    private readonly ids: '*' | Set<string>,
    private readonly selection: Selection,
    private readonly directory: DirectoryStore,
  ) {
    this.key = `configuration/users/${subscriptionId}`;
  }

  initialMessage(): object {
    const added = this.directory
      .list()
      .filter((u) => this.watches(u))
      .map((u) => project(u, this.selection));
    return {
      __type: usersMessageType,
      subscriptionId: this.subscriptionId,
      isDelta: false,
      added,
      changed: [],
      removed: [],
    };
  }

  messageFor(event: CicEvent): object | undefined {
    if (event.kind !== 'users') return undefined;
    const added = event.added.filter((u) => this.watches(u)).map((u) => project(u, this.selection));
    const changed = event.changed
      .filter(({ after }) => this.watches(after))
      .map(({ before, after }) =>
        changedProperties(project(before, this.selection), project(after, this.selection)),
      )
      .filter((c): c is Record<string, unknown> => c !== undefined);
    const removed = event.removed
      .filter((u) => this.watches(u))
      .map((u) => ({ configurationId: u.configurationId }));
    if (added.length + changed.length + removed.length === 0) return undefined;
    return {
      __type: usersMessageType,
      subscriptionId: this.subscriptionId,
      isDelta: true,
      added,
      changed,
      removed,
    };
  }

  private watches(user: CicUserRecord): boolean {
    return this.ids === '*' || this.ids.has(user.configurationId.id.toLowerCase());
  }
}

function changedProperties(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { configurationId: after.configurationId };
  let changed = JSON.stringify(before.configurationId) !== JSON.stringify(after.configurationId);
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'configurationId' || JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changed = true;
    const was = before[key];
    const now = after[key];
    if (now === undefined) out[key] = null;
    else if (typeof now === 'object' && now !== null && typeof was === 'object' && was !== null) {
      const cleared = Object.keys(was).filter((k) => !(k in now));
      out[key] = { ...now, ...Object.fromEntries(cleared.map((k) => [k, null])) };
    } else out[key] = now;
  }
  return changed ? out : undefined;
}

/** `messaging/subscriptions/status/user-statuses`: one per session; a new PUT replaces the watched user list. */
export class UserStatusSubscription implements Subscription {
  readonly key = 'status/user-statuses';

  constructor(
    private readonly userIds: Set<string>,
    private readonly directory: DirectoryStore,
  ) {}

  initialMessage(): object {
    const userStatusList = [...this.userIds]
      .map((id) => this.directory.getStatus(id))
      .filter((s): s is UserStatus => s !== undefined);
    return { __type: userStatusMessageType, isDelta: false, userStatusList };
  }

  messageFor(event: CicEvent): object | undefined {
    if (event.kind !== 'statuses') return undefined;
    const userStatusList = event.statuses.filter((s) => this.userIds.has(s.userId.toLowerCase()));
    return userStatusList.length > 0
      ? { __type: userStatusMessageType, isDelta: true, userStatusList }
      : undefined;
  }
}

/**
 * `messaging/subscriptions/queues/{subscriptionId}`. Attribute names match without case and come back spelled as
 * the subscriber asked. Changes carry only the watched attributes that changed; removals carry interaction ids.
 */
export class QueueSubscription implements Subscription {
  readonly key: string;
  private readonly queues: Set<string>;

  constructor(
    readonly subscriptionId: string,
    queueIds: { queueType: number; queueName: string }[],
    private readonly attributeNames: string[],
    private readonly interactions: InteractionStore,
  ) {
    this.key = `queues/${subscriptionId}`;
    this.queues = new Set(queueIds.map((q) => queueKey(q.queueType, q.queueName)));
  }

  initialMessage(): object {
    const interactionsAdded = this.interactions.onQueues(this.queues).map((i) => this.view(i));
    return this.message(false, interactionsAdded, [], []);
  }

  messageFor(event: CicEvent): object | undefined {
    if (event.kind !== 'interaction') return undefined;
    const wasOn = event.before?.queues.some((q) => this.queues.has(q)) ?? false;
    const isOn = event.after?.queues.some((q) => this.queues.has(q)) ?? false;
    if (!wasOn && isOn) return this.message(true, [this.view(event.after!)], [], []);
    if (wasOn && !isOn) return this.message(true, [], [], [event.before!.id]);
    if (!wasOn || !isOn) return undefined;
    const before = this.view(event.before!).attributes;
    const after = this.view(event.after!).attributes;
    const changed = Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v));
    if (Object.keys(changed).length === 0) return undefined;
    return this.message(true, [], [{ interactionId: event.after!.id, attributes: changed }], []);
  }

  private view(interaction: InteractionSnapshot): {
    interactionId: string;
    attributes: Record<string, string>;
  } {
    const byLowerName = new Map(Object.entries(interaction.attributes).map(([k, v]) => [k.toLowerCase(), v]));
    const attributes: Record<string, string> = {};
    for (const name of this.attributeNames) {
      const value = byLowerName.get(name.toLowerCase());
      if (value !== undefined && value !== '') attributes[name] = value;
    }
    return { interactionId: interaction.id, attributes };
  }

  private message(
    isDelta: boolean,
    interactionsAdded: object[],
    interactionsChanged: object[],
    interactionsRemoved: string[],
  ) {
    return {
      __type: queueContentsMessageType,
      subscriptionId: this.subscriptionId,
      isDelta,
      interactionsAdded,
      interactionsChanged,
      interactionsRemoved,
    };
  }
}

/** `messaging/subscriptions/status/status-messages`: the catalog, whole at first, then its changes (removed as ids). */
export class StatusMessagesSubscription implements Subscription {
  readonly key = 'status/status-messages';

  constructor(private readonly directory: DirectoryStore) {}

  initialMessage(): object {
    return this.message(false, this.directory.statusMessages(), [], []);
  }

  messageFor(event: CicEvent): object | undefined {
    if (event.kind !== 'status-messages') return undefined;
    return this.message(true, event.added, event.changed, event.removed);
  }

  private message(isDelta: boolean, added: object[], changed: object[], removed: string[]) {
    return { __type: statusMessagesMessageType, isDelta, statusMessagesAdded: added, statusMessagesChanged: changed, statusMessagesRemoved: removed };
  }
}
