import type { Command } from 'commander';
import type { Config } from '../lib/config';
import type { Db } from '../db/database';
import { openCliContext, type CliContext } from './context';
import { mappingTable, mapStatus, PresenceMappingError, presenceSummary, userPresence } from '../operations/presence';

type ConfigFn = () => Config;

async function withContext<T>(config: ConfigFn, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await openCliContext(config());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const deps = (ctx: CliContext) => ({ db: ctx.db, redis: ctx.redis, queuePrefix: ctx.config.queuePrefix });
const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);

/** Status → presence: the lane's figures and the mapping an operator can override per CIC status. */
export function addPresenceCommands(program: Command, config: ConfigFn): void {
  const presence = program
    .command('presence')
    .description('status → presence: pushes per minute, pending users, lag over the last minute, errors')
    .action(async () =>
      withContext(config, async (ctx) => {
        const s = await presenceSummary(deps(ctx));
        console.log(`pushes in the last minute:  ${s.requestsLastMinute} requests, ${s.usersPushedLastMinute} user presences (${s.failedLastMinute} failed)`);
        console.log(`pending users:              ${s.pendingUsers}${s.failedJobs ? ` (${s.failedJobs} jobs failed for good)` : ''}`);
        console.log(`lag, last minute:           p50 ${ms(s.lagP50Ms)}, p95 ${ms(s.lagP95Ms)}`);
        console.log(`users:                      ${s.users.known} known, ${s.users.pushed} pushed, ${s.users.skipped} skipped (not linked), ${s.users.withError} with an error`);
        for (const e of s.recentErrors) console.log(`  error ${e.cic_id} (${e.status_id ?? '?'}) at ${e.error_at?.toISOString()}: ${e.last_error}`);
      }),
    );

  presence
    .command('map')
    .description('show the CIC status → presence table, or override one status: map <status id> <presence|default>')
    .argument('[statusId]', 'CIC status id (case-insensitive)')
    .argument('[presence]', 'Available, Away, Busy, Offline, Idle, On Queue, Meal, Training, Meeting, Break, or default')
    .action(async (statusId?: string, value?: string) =>
      withContext(config, async (ctx) => {
        if (statusId !== undefined) {
          if (value === undefined) throw new PresenceMappingError('presence map: give the presence too, e.g. `bridge presence map "Gone Home" Away`');
          const set = await mapStatus(deps(ctx), statusId, value);
          console.log(set ? `'${statusId}' now maps to ${set}; users in it are updated` : `'${statusId}' uses the default table again`);
          return;
        }
        const t = await mappingTable(deps(ctx));
        if (!t.catalogKnown) console.log('(the CIC status catalog has not been read yet: showing overrides only)');
        for (const r of t.rows) console.log(`${r.statusId.padEnd(28)} ${r.presence.padEnd(10)} ${r.because}`);
        console.log('logged out of CIC            Offline    always');
      }),
    );
}

/** The presence lines of `bridge user <id>`. */
export async function printUserPresence(db: Db, cicId: string): Promise<void> {
  const p = await userPresence(db, cicId);
  if (!p) {
    console.log('  Presence: no CIC status seen yet');
    return;
  }
  const status = p.logged_in === false ? `${p.status_id ?? '?'} (logged out)` : (p.status_id ?? '?');
  console.log(`  CIC status: ${status}, seen ${p.status_seen_at?.toISOString() ?? '-'}`);
  console.log(`  Presence: ${p.presence ?? '-'} (${p.because ?? '-'})`);
  if (p.pushed_at) console.log(`  Pushed: ${p.pushed_presence} at ${p.pushed_at.toISOString()}${p.lag_ms !== null ? `, ${p.lag_ms} ms after the change` : ''}`);
  if (p.skipped_reason) console.log(`  Presence skipped: ${p.skipped_reason}`);
  if (p.last_error) console.log(`  Presence error: ${p.last_error} (${p.error_at?.toISOString()})`);
}
