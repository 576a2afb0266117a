import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface IdpKeysTable {
  id: string;
  status: 'current' | 'next' | 'previous' | 'retired';
  certificate_pem: string;
  private_key_enc: string;
  not_after: Timestamp;
  created_at: Generated<Date>;
  activated_at: Date | null;
}

export interface SsoLinksTable {
  cic_id: string;
  genesys_id: string;
  state: 'linked' | 'verified' | 'failed';
  reason: string | null;
  attempts: Generated<number>;
  checked_at: Timestamp;
  next_check_at: Date | null;
}
