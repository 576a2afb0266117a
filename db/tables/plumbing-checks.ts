import type { Generated } from 'kysely';

export interface PlumbingChecksTable {
  id: string;
  requested_at: Generated<Date>;
  job_id: string | null;
  echoed_at: Date | null;
  echoed_by: string | null;
}
