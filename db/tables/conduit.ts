import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back from pg as strings; we hand numbers in. */
type BigInt = ColumnType<string, number | string, number | string>;
type Attributes = JSONColumnType<Record<string, string | number | boolean | null>, string, string>;

export interface ConduitOutboxTable {
  position: Generated<string>;
  event_id: string;
  interaction_id: string;
  event_type: string;
  occurred_at: Timestamp;
  attributes: Attributes;
  captured_at: Generated<Date>;
}

export interface ConduitInteractionsTable {
  interaction_id: string;
  attributes: JSONColumnType<Record<string, string>, string, string>;
  transitions: Generated<number>;
  last_run: string | null;
  last_seq: ColumnType<string | null, number | null, number | null>;
  updated_at: Generated<Date>;
}

export interface ConduitCursorTable {
  id: Generated<number>;
  position: BigInt;
  updated_at: Generated<Date>;
}

export type ConduitBatchStatus = 'pending' | 'acked' | 'refused';

export interface ConduitBatchesTable {
  id: string;
  kind: 'export' | 'backfill';
  backfill_id: string | null;
  range_from: Date | null;
  range_to: Date | null;
  from_position: BigInt;
  to_position: BigInt;
  events: number;
  bytes: number;
  idempotency_key: string;
  status: ConduitBatchStatus;
  created: number | null;
  duplicates: number | null;
  rejected: number | null;
  failure: string | null;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  sent_at: Date | null;
  acked_at: Date | null;
}

export interface ConduitDeadLettersTable {
  event_id: string;
  position: BigInt;
  batch_id: string;
  reason: string;
  created_at: Generated<Date>;
}
