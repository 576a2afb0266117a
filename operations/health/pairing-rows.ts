import type { HealthProvider, HealthResult } from './providers';

const notPaired: HealthResult = { status: 'amber', reason: 'not paired: run `bridge pair`', facts: {} };
/** A watch activity that has not heartbeated for this long is taken as held by a dead bridge. */
const HEARTBEAT_STALE_MS = 30_000;

const ago = (iso: string | undefined, now: number) => (iso ? Math.max(0, Math.round((now - Date.parse(iso)) / 1000)) : null);

export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** The pairing: org, region, CIC servers, which one is primary (the one the watch holds) and which bridge holds it. */
export const pairingRow: HealthProvider = {
  name: 'Pairing',
  async check(ctx) {
    const p = await ctx.pairing();
    if (!p) return { status: 'red', reason: 'this bridge is not paired: run `bridge pair`', facts: {} };
    const watch = await ctx.watch().catch(() => undefined);
    const facts = {
      org: p.orgShortName,
      region: p.regionDomain ?? p.apiUrl,
      cicServers: p.cicServers.join(', '),
      primary: watch?.activity?.details.state === 'connected' ? (watch.activity.details.server ?? null) : null,
      watchHeldBy: watch?.activity?.holder ?? null,
      pairedAt: p.createdAt.toISOString(),
    };
    if (p.unpairingSince) return { status: 'amber', reason: `being unpaired since ${p.unpairingSince.toISOString()}: run \`bridge unpair\` again to finish`, facts };
    const where = facts.primary ? `; primary ${facts.primary}, watch held by ${facts.watchHeldBy}` : '; no bridge holds a CIC session now';
    return { status: 'green', reason: `paired with ${p.orgShortName} (${facts.region})${where}`, facts };
  },
};

/** The ICWS watch session: connected or not, since when, the last change message, and who holds it. */
export const cicRow: HealthProvider = {
  name: 'CIC connection',
  async check(ctx) {
    if (!(await ctx.pairing())) return notPaired;
    const watch = await ctx.watch();
    if (!watch || watch.workflowStatus !== 'RUNNING') {
      return { status: 'red', reason: `the CIC watch is not running (${watch ? watch.workflowStatus.toLowerCase() : 'never started'})`, facts: {} };
    }
    const a = watch.activity;
    if (!a) return { status: 'amber', reason: 'the CIC watch is waiting for a bridge to run it', facts: {} };
    const now = Date.now();
    const d = a.details;
    const sessionAge = d.state === 'connected' || d.state === 'switchover' ? ago(d.connectedAt, now) : null;
    const facts = {
      state: d.state ?? 'starting',
      server: d.server ?? null,
      sessionAgeSeconds: sessionAge,
      lastMessageAt: d.lastMessageAt ?? null,
      lastMessageSecondsAgo: ago(d.lastMessageAt, now),
      changesWaitingInMemory: d.pending?.ids ?? 0,
      fullPassWaitingInMemory: d.pending?.fullPass ?? false,
      heldBy: a.holder,
      lastHeartbeatAt: a.lastHeartbeatAt?.toISOString() ?? null,
      activityAttempt: a.attempt,
    };
    const silent = a.lastHeartbeatAt ? now - a.lastHeartbeatAt.getTime() : Infinity;
    if (silent > HEARTBEAT_STALE_MS && a.attempt > 1 && a.lastFailure) {
      return { status: 'red', reason: `the CIC watch keeps failing: ${a.lastFailure} (attempt ${a.attempt})`, facts };
    }
    if (silent > HEARTBEAT_STALE_MS) {
      const since = Number.isFinite(silent) ? `for ${duration(Math.round(silent / 1000))}` : 'yet';
      return { status: 'red', reason: `no heartbeat from the CIC watch ${since} (held by ${a.holder ?? 'no bridge'}; Temporal moves it when that bridge is gone)`, facts };
    }
    if (d.state === 'reconnecting') {
      return { status: 'red', reason: `CIC is unreachable, reconnecting (attempt ${d.attempt ?? '?'}): ${d.reason ?? 'connection lost'}`, facts };
    }
    if (d.state === 'switchover') return { status: 'amber', reason: `CIC switched over to ${d.server}; subscribing again`, facts };
    if (d.state !== 'connected') return { status: 'amber', reason: 'the CIC watch is connecting', facts };
    const last = facts.lastMessageSecondsAgo === null ? 'no change message yet' : `last change message ${duration(facts.lastMessageSecondsAgo)} ago`;
    return { status: 'green', reason: `connected to ${d.server} for ${duration(sessionAge ?? 0)}; ${last}`, facts };
  },
};
