import type { CliContext } from './context';
import type { Discovered } from './discovery';
import { getPairing } from '../db/pairing';
import { countLinksByState } from '../db/directory';
import { countBacklog } from '../db/watch-backlog';
import { syncProgress } from '../operations/directory';
import type { PassSummary, SyncProgress } from '../workflows/directory-sync-api';

export interface BridgeStatus {
  paired: boolean;
  orgShortName?: string;
  apiUrl?: string;
  cicServers?: string[];
  /** The sync workflow's `progress` query; absent when not paired or when it could not be asked. */
  progress?: SyncProgress;
  progressError?: string;
  users: Record<string, number>;
  /** Changes the watch could not hand to Redis, waiting in PostgreSQL for the next pass. */
  watchBacklog: { ids: number; fullPass: boolean };
  /** The running bridge the CLI found through its state file, if that is how it found it. */
  bridge?: { kind: string; pid: number; startedAt: string; http?: string; temporalUi?: string; dataDir: string };
}

/** What `bridge status` shows, read once; `--json` prints it as it is. */
export async function readStatus(ctx: CliContext, discovered?: Discovered): Promise<BridgeStatus> {
  const pairing = await getPairing(ctx.db);
  const [users, watchBacklog] = await Promise.all([countLinksByState(ctx.db), countBacklog(ctx.db)]);
  let progress: SyncProgress | undefined;
  let progressError: string | undefined;
  if (pairing) {
    try {
      progress = await syncProgress(ctx);
    } catch (err) {
      progressError = (err as Error).message.split('\n')[0];
    }
  }
  const b = discovered?.bridge?.state;
  return {
    paired: !!pairing,
    ...(pairing && { orgShortName: pairing.orgShortName, apiUrl: pairing.apiUrl, cicServers: pairing.cicServers }),
    ...(progress && { progress }),
    ...(progressError && { progressError }),
    users,
    watchBacklog,
    ...(b && {
      bridge: { kind: b.kind, pid: b.pid, startedAt: b.startedAt, http: b.http?.url, temporalUi: b.temporalUiUrl, dataDir: b.dataDir },
    }),
  };
}

const stateNames: Record<string, string> = {
  synced: 'synced',
  'not-synced': 'not synced',
  error: 'error',
  conflict: 'conflict',
  deactivated: 'deactivated',
};

function describePass(p: PassSummary): string {
  const took = (Date.parse(p.finishedAt) - Date.parse(p.startedAt)) / 1000;
  const counts = Object.entries(p.counts)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${action} ${n}`)
    .join(', ');
  const outcome = p.status === 'completed' ? 'completed' : `${p.status}${p.failure || p.blockedReason ? ` (${p.failure ?? p.blockedReason})` : ''}`;
  return `${p.kind} pass ${outcome} at ${p.finishedAt} in ${took.toFixed(1)} s: read ${p.read}${counts ? `; ${counts}` : ''}`;
}

/** The readable summary: a few lines an operator takes in at a glance, with the command to look further. */
export function formatStatus(s: BridgeStatus): string[] {
  const lines: string[] = [];
  if (s.bridge) {
    lines.push(`bridge (${s.bridge.kind === 'demo' ? 'the demo' : 'npm start'}, pid ${s.bridge.pid}) running since ${s.bridge.startedAt}`);
    if (s.bridge.http) lines.push(`  HTTP server ${s.bridge.http}`);
    if (s.bridge.temporalUi) lines.push(`  Temporal UI ${s.bridge.temporalUi}`);
  }
  if (!s.paired) {
    lines.push('not paired: pair it with `bridge pair --org SHORTNAME --region DOMAIN --client-id ID --cic-server URL`');
    return lines;
  }
  lines.push(`paired with ${s.orgShortName} (${s.apiUrl}); CIC ${s.cicServers?.join(', ')}`);
  const p = s.progress;
  if (p) {
    if (p.current) {
      lines.push(`sync: ${p.current.kind} pass running since ${p.current.startedAt}: ${p.current.phase}, ${p.current.applied}/${p.current.planned} applied`);
    } else {
      const queued = p.fullPending ? 'a full pass queued' : p.pendingUserIds ? `${p.pendingUserIds} changed users queued` : 'nothing queued';
      lines.push(`sync: waiting (${queued})`);
    }
    if (p.lastFullPass) lines.push(`  last full pass: ${describePass(p.lastFullPass)}`);
    if (p.lastPass && p.lastPass.runId !== p.lastFullPass?.runId) lines.push(`  last pass: ${describePass(p.lastPass)}`);
    if (!p.lastFullPass && !p.current) lines.push('  no full pass yet');
  } else {
    lines.push(`sync: not answering (${s.progressError ?? 'no answer'}); are the workers running?`);
  }
  const total = Object.values(s.users).reduce((a, b) => a + b, 0);
  const byState = Object.entries(s.users)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${stateNames[state] ?? state} ${n}`)
    .join(', ');
  lines.push(`users: ${total}${byState ? ` (${byState})` : ''}`);
  const problems = (s.users.error ?? 0) + (s.users.conflict ?? 0);
  if (problems) lines.push(`  ${problems} with errors: \`bridge users --state error\`, then \`bridge user <cic id>\``);
  if (s.watchBacklog.ids || s.watchBacklog.fullPass) {
    lines.push(
      `watch backlog: ${s.watchBacklog.ids} changed users${s.watchBacklog.fullPass ? ' and a full pass' : ''} waiting in PostgreSQL (Redis could not take them)`,
    );
  }
  return lines;
}
