import type { StoreEvent } from './store';

/** What a queue subscriber needs of an interaction: its attributes and the queues it is on. */
export interface InteractionSnapshot {
  id: string;
  attributes: Record<string, string>;
  /** Keys made by `queueKey`. */
  queues: string[];
}

/** `before` is missing for a new interaction, `after` for one taken off every queue. */
export interface InteractionEvent {
  kind: 'interaction';
  before?: InteractionSnapshot;
  after?: InteractionSnapshot;
}

export type CicEvent = StoreEvent | InteractionEvent;

/** ICWS queue types: 0 system, 1 user, 2 workgroup, 3 station. Queue names compare without case. */
export const queueTypes = { system: 0, user: 1, workgroup: 2, station: 3 } as const;

export function queueKey(queueType: number, queueName: string): string {
  return `${queueType}:${queueName.toLowerCase()}`;
}
