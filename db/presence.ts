import { sql } from 'kysely';
import type { Db } from './database';
import type { PresenceOverrides, SystemPresence } from '../domain/presence-mapping';

/** A CIC user as the presence worker needs it: its link to a cloud user and what was pushed for it so far. */
export interface PresenceTarget {
  cicId: string;
  genesysId: string | null;
  linkActive: boolean | null;
  linkState: string | null;
  pushedPresence: string | null;
  pushedDefinitionId: string | null;
  pushedGenesysId: string | null;
  primarySourceId: string | null;
  handledSeq: number | null;
}

export async function loadPresenceTargets(db: Db, cicIds: readonly string[]): Promise<Map<string, PresenceTarget>> {
  const r = await sql<{
    cic_id: string;
    genesys_id: string | null;
    active: boolean | null;
    state: string | null;
    pushed_presence: string | null;
    pushed_definition_id: string | null;
    pushed_genesys_id: string | null;
    primary_source_id: string | null;
    handled_seq: string | null;
  }>`
    SELECT t.cic_id, l.genesys_id, l.active, l.state, s.pushed_presence, s.pushed_definition_id, s.pushed_genesys_id,
           s.primary_source_id, s.handled_seq
    FROM unnest(${[...cicIds]}::text[]) AS t(cic_id)
    LEFT JOIN user_links l ON l.cic_id = t.cic_id
    LEFT JOIN presence_state s ON s.cic_id = t.cic_id`.execute(db);
  return new Map(
    r.rows.map((row) => [
      row.cic_id,
      {
        cicId: row.cic_id,
        genesysId: row.genesys_id,
        linkActive: row.active,
        linkState: row.state,
        pushedPresence: row.pushed_presence,
        pushedDefinitionId: row.pushed_definition_id,
        pushedGenesysId: row.pushed_genesys_id,
        primarySourceId: row.primary_source_id,
        handledSeq: row.handled_seq === null ? null : Number(row.handled_seq),
      },
    ]),
  );
}

/** What one batch decided for one user; `pushed` only when a write for it succeeded (or was not needed). */
export interface PresenceOutcome {
  cicId: string;
  statusId: string | null;
  loggedIn: boolean;
  seenAt: Date;
  seq: number;
  presence: SystemPresence | null;
  because: string | null;
  pushed?: { presence: string; definitionId: string; genesysId: string; sourceId: string; at: Date | null; lagMs: number | null };
  skippedReason?: string;
  error?: string;
}

/** One upsert for a batch's outcomes. A failed write keeps what was pushed before (and its seq). */
export async function recordPresenceOutcomes(db: Db, outcomes: readonly PresenceOutcome[]): Promise<void> {
  if (!outcomes.length) return;
  const rows = sql.join(
    outcomes.map(
      (o) => sql`(${o.cicId}, ${o.statusId}, ${o.loggedIn}::boolean, ${o.seenAt}::timestamptz, ${o.error ? null : o.seq}::bigint, ${o.presence},
        ${o.because}, ${o.pushed?.presence ?? null}, ${o.pushed?.definitionId ?? null}, ${o.pushed?.genesysId ?? null},
        ${o.pushed?.sourceId ?? null}, ${o.pushed?.at ?? null}::timestamptz, ${o.pushed?.lagMs ?? null}::integer,
        ${o.skippedReason ?? null}, ${o.error ?? null})`,
    ),
  );
  await sql`
    INSERT INTO presence_state AS s (cic_id, status_id, logged_in, status_seen_at, handled_seq, presence, because, pushed_presence,
      pushed_definition_id, pushed_genesys_id, primary_source_id, pushed_at, lag_ms, skipped_reason, last_error, error_at, updated_at)
    SELECT v.cic_id, v.status_id, v.logged_in, v.seen_at, v.seq, v.presence, v.because, v.pushed_presence, v.pushed_definition_id,
      v.pushed_genesys_id, v.source_id, v.pushed_at, v.lag_ms, v.skipped_reason, v.error, CASE WHEN v.error IS NULL THEN NULL ELSE now() END, now()
    FROM (VALUES ${rows}) AS v(cic_id, status_id, logged_in, seen_at, seq, presence, because, pushed_presence, pushed_definition_id,
      pushed_genesys_id, source_id, pushed_at, lag_ms, skipped_reason, error)
    ON CONFLICT (cic_id) DO UPDATE SET
      status_id = excluded.status_id,
      logged_in = excluded.logged_in,
      status_seen_at = excluded.status_seen_at,
      handled_seq = coalesce(excluded.handled_seq, s.handled_seq),
      presence = excluded.presence,
      because = excluded.because,
      pushed_presence = coalesce(excluded.pushed_presence, s.pushed_presence),
      pushed_definition_id = coalesce(excluded.pushed_definition_id, s.pushed_definition_id),
      pushed_genesys_id = coalesce(excluded.pushed_genesys_id, s.pushed_genesys_id),
      primary_source_id = coalesce(excluded.primary_source_id, s.primary_source_id),
      pushed_at = coalesce(excluded.pushed_at, s.pushed_at),
      lag_ms = CASE WHEN excluded.pushed_at IS NOT NULL THEN excluded.lag_ms ELSE s.lag_ms END,
      skipped_reason = excluded.skipped_reason,
      last_error = excluded.last_error,
      error_at = excluded.error_at,
      updated_at = now()`.execute(db);
}

export async function recordPush(db: Db, p: { users: number; requests: number; failed: number; error?: string | null }): Promise<void> {
  await db.insertInto('presence_pushes').values({ users: p.users, requests: p.requests, failed: p.failed, error: p.error ?? null }).execute();
}

export async function prunePushes(db: Db, olderThanMinutes = 60): Promise<void> {
  await sql`DELETE FROM presence_pushes WHERE at < now() - make_interval(mins => ${olderThanMinutes})`.execute(db);
}

/** Intake sequence number each user's last handled status had (users never handled are absent). */
export async function handledSeqs(db: Db): Promise<Map<string, number>> {
  const r = await sql<{ cic_id: string; handled_seq: string }>`SELECT cic_id, handled_seq FROM presence_state WHERE handled_seq IS NOT NULL`.execute(db);
  return new Map(r.rows.map((row) => [row.cic_id, Number(row.handled_seq)]));
}

/**
 * Users whose presence must be pushed again although no status changed: skipped for want of a link and linked
 * since, or left with an error by the last attempt.
 */
export async function usersToRetry(db: Db, opts: { errors: boolean; limit?: number }): Promise<string[]> {
  const r = await sql<{ cic_id: string }>`
    SELECT s.cic_id FROM presence_state s JOIN user_links l ON l.cic_id = s.cic_id
    WHERE l.genesys_id IS NOT NULL AND l.active AND s.status_seen_at IS NOT NULL
      AND (s.skipped_reason IS NOT NULL
           ${opts.errors ? sql`OR s.last_error IS NOT NULL OR s.pushed_genesys_id IS DISTINCT FROM l.genesys_id` : sql``})
    LIMIT ${opts.limit ?? 10_000}`.execute(db);
  return r.rows.map((row) => row.cic_id);
}

export async function loadOverrides(db: Db): Promise<PresenceOverrides> {
  const rows = await db.selectFrom('presence_overrides').select(['status_id', 'presence']).execute();
  return Object.fromEntries(rows.map((r) => [r.status_id, r.presence as SystemPresence]));
}

export async function listOverrides(db: Db) {
  return db.selectFrom('presence_overrides').select(['status_id', 'presence', 'updated_at']).orderBy('status_key').execute();
}

/** Sets the override for a status id, or removes it (`presence` null). */
export async function setOverride(db: Db, statusId: string, presence: SystemPresence | null): Promise<void> {
  const key = statusId.trim().toLowerCase();
  if (presence === null) {
    await db.deleteFrom('presence_overrides').where('status_key', '=', key).execute();
    return;
  }
  await db
    .insertInto('presence_overrides')
    .values({ status_key: key, status_id: statusId.trim(), presence, updated_at: new Date() })
    .onConflict((oc) => oc.column('status_key').doUpdateSet({ status_id: statusId.trim(), presence, updated_at: new Date() }))
    .execute();
}

export async function getPresenceSource(db: Db, org: string): Promise<{ sourceId: string; name: string } | undefined> {
  const row = await db.selectFrom('presence_source').select(['source_id', 'name']).where('org_short_name', '=', org).executeTakeFirst();
  return row && { sourceId: row.source_id, name: row.name };
}

export async function savePresenceSource(db: Db, org: string, sourceId: string, name: string): Promise<void> {
  await db
    .insertInto('presence_source')
    .values({ org_short_name: org, source_id: sourceId, name })
    .onConflict((oc) => oc.column('org_short_name').doUpdateSet({ source_id: sourceId, name, registered_at: new Date() }))
    .execute();
}

export async function presenceStateOf(db: Db, cicId: string) {
  return db.selectFrom('presence_state').selectAll().where('cic_id', '=', cicId).executeTakeFirst();
}

/** The last minute's figures for `bridge presence` and the health page. */
export async function presenceFigures(db: Db) {
  const pushes = await sql<{ requests: string | null; users: string | null; failed: string | null; errors: string | null; last_error: string | null }>`
    SELECT sum(requests) AS requests, sum(users) AS users, sum(failed) AS failed, count(*) FILTER (WHERE error IS NOT NULL) AS errors,
      (SELECT error FROM presence_pushes WHERE error IS NOT NULL ORDER BY at DESC LIMIT 1) AS last_error
    FROM presence_pushes WHERE at > now() - interval '1 minute'`.execute(db);
  const lag = await sql<{ p50: number | null; p95: number | null; pushed: string }>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY lag_ms) AS p95,
      count(*) AS pushed
    FROM presence_state WHERE pushed_at > now() - interval '1 minute' AND lag_ms IS NOT NULL`.execute(db);
  const users = await sql<{ total: string; errors: string; skipped: string; pushed: string }>`
    SELECT count(*) AS total, count(*) FILTER (WHERE last_error IS NOT NULL) AS errors,
      count(*) FILTER (WHERE skipped_reason IS NOT NULL) AS skipped, count(*) FILTER (WHERE pushed_at IS NOT NULL) AS pushed
    FROM presence_state`.execute(db);
  const p = pushes.rows[0];
  const l = lag.rows[0];
  const u = users.rows[0];
  return {
    requestsLastMinute: Number(p.requests ?? 0),
    usersPushedLastMinute: Number(p.users ?? 0),
    failedLastMinute: Number(p.failed ?? 0),
    lastError: p.last_error,
    lagP50Ms: l.p50 === null ? null : Math.round(l.p50),
    lagP95Ms: l.p95 === null ? null : Math.round(l.p95),
    users: { known: Number(u.total), pushed: Number(u.pushed), withError: Number(u.errors), skipped: Number(u.skipped) },
  };
}

export async function usersWithErrors(db: Db, limit = 10) {
  return db
    .selectFrom('presence_state')
    .select(['cic_id', 'status_id', 'last_error', 'error_at'])
    .where('last_error', 'is not', null)
    .orderBy('error_at', 'desc')
    .limit(limit)
    .execute();
}
