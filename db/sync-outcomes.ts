import { sql } from 'kysely';
import type { Db } from './database';
import type { DesiredScimUser } from '../domain';

export interface SyncedLink {
  cicId: string;
  genesysId: string;
  email: string;
  syncedValues: DesiredScimUser;
  syncedHash: string | null;
  version: string | null;
  problems: string[];
  lastSyncedAt: Date;
  lastTrace: unknown[];
}

export interface ChangeOutcome {
  cicId: string;
  action: string;
  status: 'done' | 'failed';
  error?: string | null;
}

/**
 * Outcomes of an apply chunk written in bulk: one upsert for the users now synced, one update for the
 * changes done. Per-user round trips would cost more than the SCIM calls themselves.
 */
export async function writeOutcomes(db: Db, runId: string, links: SyncedLink[], changes: ChangeOutcome[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (links.length) {
      await trx
        .insertInto('user_links')
        .values(
          links.map((l) => ({
            cic_id: l.cicId,
            genesys_id: l.genesysId,
            email: l.email,
            state: 'synced',
            reason: null,
            problems: JSON.stringify(l.problems),
            synced_hash: l.syncedHash,
            synced_values: JSON.stringify(l.syncedValues),
            active: true,
            version: l.version,
            last_synced_at: l.lastSyncedAt,
            last_trace: JSON.stringify(l.lastTrace),
            updated_at: new Date(),
            failures: 0,
            retry_at: null,
          })),
        )
        .onConflict((oc) =>
          oc.column('cic_id').doUpdateSet((eb) => ({
            genesys_id: eb.ref('excluded.genesys_id'),
            email: eb.ref('excluded.email'),
            state: eb.ref('excluded.state'),
            reason: null,
            problems: eb.ref('excluded.problems'),
            synced_hash: eb.ref('excluded.synced_hash'),
            synced_values: eb.ref('excluded.synced_values'),
            active: true,
            version: eb.ref('excluded.version'),
            last_synced_at: eb.ref('excluded.last_synced_at'),
            last_trace: eb.ref('excluded.last_trace'),
            updated_at: eb.ref('excluded.updated_at'),
            failures: 0,
            retry_at: null,
          })),
        )
        .execute();
    }
    if (changes.length) {
      const rows = sql.join(changes.map((c) => sql`(${c.cicId}, ${c.action}, ${c.status}, ${c.error ?? null})`));
      await sql`
        UPDATE sync_changes AS s SET action = v.action, status = v.status, error = v.error, at = now()
        FROM (VALUES ${rows}) AS v(cic_id, action, status, error)
        WHERE s.run_id = ${runId} AND s.cic_id = v.cic_id`.execute(trx);
    }
  });
}
