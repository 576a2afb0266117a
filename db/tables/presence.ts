import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

export interface PresenceStateTable {
  cic_id: string;
  status_id: string | null;
  logged_in: boolean | null;
  status_seen_at: Date | null;
  handled_seq: Int8 | null;
  presence: string | null;
  because: string | null;
  pushed_presence: string | null;
  pushed_definition_id: string | null;
  pushed_genesys_id: string | null;
  primary_source_id: string | null;
  pushed_at: Date | null;
  lag_ms: number | null;
  skipped_reason: string | null;
  last_error: string | null;
  error_at: Date | null;
  updated_at: Timestamp;
}

export interface PresenceOverridesTable {
  status_key: string;
  status_id: string;
  presence: string;
  updated_at: Timestamp;
}

export interface PresenceSourceTable {
  org_short_name: string;
  source_id: string;
  name: string;
  registered_at: Timestamp;
}

export interface PresencePushesTable {
  id: Generated<string>;
  at: Timestamp;
  users: number;
  requests: number;
  failed: number;
  error: string | null;
}
