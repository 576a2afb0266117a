import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Json<T extends object | null> = JSONColumnType<T, T | string, T | string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface PairingTable {
  id: Generated<number>;
  org_short_name: string;
  region_domain: string | null;
  api_url: string;
  login_url: string;
  client_id: string;
  client_secret_enc: string;
  cic_servers: Json<string[]>;
  cic_user_id: string;
  cic_password_enc: string;
  options: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Set while `bridge unpair` stops the pairing's workflows; the pairing counts as gone from then on. */
  unpairing_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface CicUsersTable {
  cic_id: string;
  record: Json<Record<string, unknown>> | null;
  content_hash: string;
  present: Generated<boolean>;
  seen_at: Timestamp;
  removed_at: Date | null;
  /** The user as the planner needs it (domain StagedUser), mapped with the options named by staged_with. */
  staged: Json<Record<string, unknown>> | null;
  /** Lower-cased business email of a syncable user, for the duplicate-email check. */
  email_key: string | null;
  staged_with: string | null;
}

export interface UserLinksTable {
  cic_id: string;
  genesys_id: string | null;
  email: string | null;
  state: string;
  reason: string | null;
  problems: Json<string[]>;
  synced_hash: string | null;
  synced_values: Json<Record<string, unknown>> | null;
  active: Generated<boolean>;
  version: string | null;
  last_synced_at: Date | null;
  last_trace: Json<unknown[]> | null;
  updated_at: Timestamp;
  failures: Generated<number>;
  retry_at: Date | null;
}

export interface CloudUsersTable {
  genesys_id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  version: string | null;
  run_id: string;
}

export interface SyncRunsTable {
  id: string;
  kind: string;
  workflow_id: string | null;
  status: string;
  counts: Json<Record<string, number>>;
  blocked_reason: string | null;
  removal_confirmed: Generated<boolean>;
  planned: Generated<boolean>;
  started_at: Timestamp;
  finished_at: Date | null;
}

export interface SyncChangesTable {
  run_id: string;
  cic_id: string;
  action: string;
  status: string;
  before: Json<object> | null;
  after: Json<object> | null;
  changes: Json<object> | null;
  error: string | null;
  at: Timestamp;
  attempts: Generated<number>;
  retry_at: Date | null;
}

/** CIC changes the watch could not hand over; `*` stands for "a full pass is needed". */
export interface WatchBacklogTable {
  cic_id: string;
  noted_at: Timestamp;
}
