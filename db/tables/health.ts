import type { ColumnType, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DriftAttribute {
  attribute: string;
  /** What the bridge last sent (the CIC value). */
  before: string | null;
  /** What the cloud holds now. */
  after: string | null;
}

export interface UserDriftTable {
  cic_id: string;
  genesys_id: string;
  attributes: JSONColumnType<DriftAttribute[], DriftAttribute[] | string, DriftAttribute[] | string>;
  run_id: string;
  detected_at: Timestamp;
}

export interface ChangePropagationTable {
  cic_id: string;
  seen_at: Timestamp;
  acknowledged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  latency_ms: number | null;
}
