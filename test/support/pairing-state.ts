import type { Db } from '../../db/database';

/** Tables that hold a pairing's state: unpair empties every one of them. */
export const pairingStateTables = ['pairing', 'cic_users', 'user_links', 'cloud_users', 'sync_runs', 'sync_changes', 'sso_links', 'idp_keys'] as const;

/** Rows per state table, e.g. `{ pairing: 0, user_links: 0, ... }`. */
export async function pairingStateCounts(db: Db): Promise<Record<(typeof pairingStateTables)[number], number>> {
  const counts = {} as Record<(typeof pairingStateTables)[number], number>;
  for (const t of pairingStateTables) {
    const r = await db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    counts[t] = Number(r.n);
  }
  return counts;
}

export const noPairingState = Object.fromEntries(pairingStateTables.map((t) => [t, 0]));
