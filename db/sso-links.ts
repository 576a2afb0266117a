import { sql } from 'kysely';
import type { Db } from './database';
import type { SsoLinksTable } from './tables/sso';

export type SsoState = SsoLinksTable['state'];

export interface LinkToVerify {
  cicId: string;
  genesysId: string;
  email: string;
}

/** After this many failed proofs in a row a user stays Failed until a backfill asks again. */
export const MAX_PROOF_ATTEMPTS = 5;

/**
 * One page of synced links to prove, in CIC id order after `after`. `all` (a backfill) takes every synced
 * link; otherwise only those never proved, whose cloud user changed, or whose failed proof is due again.
 */
export async function linksToVerify(db: Db, opts: { after: string; limit: number; all: boolean }): Promise<LinkToVerify[]> {
  let q = db
    .selectFrom('user_links as l')
    .leftJoin('sso_links as s', 's.cic_id', 'l.cic_id')
    .select(['l.cic_id', 'l.genesys_id', 'l.email'])
    .where('l.state', '=', 'synced')
    .where('l.active', '=', true)
    .where('l.genesys_id', 'is not', null)
    .where('l.email', 'is not', null)
    .where('l.cic_id', '>', opts.after);
  if (!opts.all) {
    q = q.where((eb) =>
      eb.or([
        eb('s.cic_id', 'is', null),
        eb('s.genesys_id', '!=', eb.ref('l.genesys_id')),
        eb.and([eb('s.state', '=', 'failed'), eb('s.attempts', '<', MAX_PROOF_ATTEMPTS), eb('s.next_check_at', '<=', sql<Date>`now()`)]),
      ]),
    );
  }
  const rows = await q.orderBy('l.cic_id').limit(opts.limit).execute();
  return rows.map((r) => ({ cicId: r.cic_id, genesysId: r.genesys_id!, email: r.email! }));
}

/** Records the outcome of one proof; a failure is tried again later, the wait doubling each time. */
export async function recordProof(db: Db, cicId: string, genesysId: string, result: { state: SsoState; reason?: string }): Promise<void> {
  const failed = result.state === 'failed';
  await db
    .insertInto('sso_links')
    .values({ cic_id: cicId, genesys_id: genesysId, state: result.state, reason: result.reason ?? null, attempts: failed ? 1 : 0, checked_at: new Date(), next_check_at: failed ? sql<Date>`now() + interval '1 minute'` : null })
    .onConflict((oc) =>
      oc.column('cic_id').doUpdateSet({
        genesys_id: genesysId,
        state: result.state,
        reason: result.reason ?? null,
        checked_at: new Date(),
        // Backoff doubles per failed attempt, from one minute.
        attempts: failed ? sql<number>`sso_links.attempts + 1` : 0,
        next_check_at: failed ? sql<Date>`now() + (interval '1 minute' * power(2, sso_links.attempts))` : null,
      }),
    )
    .execute();
}

export interface SsoLinkRow {
  state: SsoState;
  reason: string | null;
  checkedAt: Date;
  attempts: number;
}

/** The SSO proof of each of `cicIds` (a user never proved is absent; callers show it as Linked). */
export async function ssoStates(db: Db, cicIds?: string[]): Promise<Map<string, SsoLinkRow>> {
  let q = db.selectFrom('sso_links').selectAll();
  if (cicIds) {
    if (!cicIds.length) return new Map();
    q = q.where('cic_id', 'in', cicIds);
  }
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.cic_id, { state: r.state, reason: r.reason, checkedAt: r.checked_at, attempts: r.attempts }]));
}

export async function countSsoStates(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('sso_links').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
