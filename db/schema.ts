import type { PlumbingChecksTable } from './tables/plumbing-checks';
import type {
  CicUsersTable,
  CloudUsersTable,
  PairingTable,
  SyncChangesTable,
  SyncRunsTable,
  UserLinksTable,
  WatchBacklogTable,
} from './tables/provisioning';
import type { IdpKeysTable, SsoLinksTable } from './tables/sso';
import type { PresenceOverridesTable, PresencePushesTable, PresenceSourceTable, PresenceStateTable } from './tables/presence';
import type {
  ConduitBatchesTable,
  ConduitCursorTable,
  ConduitDeadLettersTable,
  ConduitInteractionsTable,
  ConduitOutboxTable,
} from './tables/conduit';

export interface Database {
  plumbing_checks: PlumbingChecksTable;
  pairing: PairingTable;
  cic_users: CicUsersTable;
  user_links: UserLinksTable;
  cloud_users: CloudUsersTable;
  sync_runs: SyncRunsTable;
  sync_changes: SyncChangesTable;
  idp_keys: IdpKeysTable;
  sso_links: SsoLinksTable;
  watch_backlog: WatchBacklogTable;
  presence_state: PresenceStateTable;
  presence_overrides: PresenceOverridesTable;
  presence_source: PresenceSourceTable;
  presence_pushes: PresencePushesTable;
  conduit_outbox: ConduitOutboxTable;
  conduit_interactions: ConduitInteractionsTable;
  conduit_cursor: ConduitCursorTable;
  conduit_batches: ConduitBatchesTable;
  conduit_dead_letters: ConduitDeadLettersTable;
}
