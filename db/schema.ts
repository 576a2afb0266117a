import type { PlumbingChecksTable } from './tables/plumbing-checks';

export interface Database {
  plumbing_checks: PlumbingChecksTable;
}
