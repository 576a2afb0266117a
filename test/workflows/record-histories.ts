// Re-record with `npm run record-histories`: files are named for the last commit that changed workflows/ (`-- --label NAME` for uncommitted code).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { resolveTemporalBinary, startTemporal } from '../../stack/temporal';
import { stopService } from '../../stack/process';
import { requestBackfill, syncProgress } from '../../operations/directory';
import { unpair } from '../../operations/pairing';
import { runPlumbingCheck } from '../../cli/plumbing';
import { usersChangedSignal, type SyncProgress } from '../../workflows/directory-sync-api';
import { directorySyncWorkflow } from '../../workflows';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { historiesDir, payloadTexts, type RecordedHistory } from '../support/histories';
import { decodePayloadsIn, payloadCodecFor } from '../../lib/payload-codec';

/**
 * Runs the real bridge against the simulators and saves the histories the replay test guards: the sync's
 * first run (pairing's full pass, a delta from a CIC change through the watch, a backfill, deltas until it
 * continues as new), the run that continues it (carried-over state, a delta, cancelled by unpair), a run
 * restarted after unpair (ends on the missing pairing), the watch and account linking (cancelled by unpair)
 * and a plumbing check. Its own Temporal dev server suggests continue-as-new after
 * CONTINUE_AS_NEW_AFTER_EVENTS events, so a run ends in a few passes instead of 200 and the files stay small.
 */
const CONTINUE_AS_NEW_AFTER_EVENTS = 120;
const SECRETS = ['demo-secret', 'admin-pass'];

function label(): string {
  const at = process.argv.indexOf('--label');
  if (at >= 0 && process.argv[at + 1]) return process.argv[at + 1];
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  if (git('status', '--porcelain', '--', 'workflows')) {
    throw new Error('workflows/ has uncommitted changes: commit them, or name the recording with --label NAME');
  }
  return git('log', '-1', '--format=%h', '--', 'workflows');
}

async function main() {
  const recordedFrom = label();
  const dir = mkdtempSync(join(tmpdir(), 'cloud-bridge-record-'));
  const log = (m: string) => process.stderr.write(`[record] ${m}\n`);
  const temporal = await startTemporal(dir, await resolveTemporalBinary(process.env, log), [
    '--dynamic-config-value',
    `limit.historyCount.suggestContinueAsNew=${CONTINUE_AS_NEW_AFTER_EVENTS}`,
  ]);
  let h: BridgeHarness | undefined;
  try {
    h = await startBridge('record', {
      cic: { directory: { count: 8, seed: 3 } },
      config: { temporalAddress: temporal.address },
    });
    const saved = await record(h, recordedFrom);
    for (const r of saved) {
      const text = JSON.stringify(r.history) + payloadTexts(r.history).join('\n');
      const leaked = [...SECRETS, h.config.secretKey!].filter((s) => text.includes(s));
      if (leaked.length) throw new Error(`${r.scenario}: the history holds a secret; nothing written`);
    }
    for (const r of saved) {
      const file = join(historiesDir, `${recordedFrom}-${r.scenario}.json`);
      writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
      log(`${file}: ${(r.history as { events: unknown[] }).events.length} events`);
    }
  } finally {
    await h?.stop();
    await stopService(temporal.service);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function record(h: BridgeHarness, recordedFrom: string): Promise<RecordedHistory[]> {
  const ops = { db: h.db, temporal: h.temporal, taskQueue: h.config.taskQueue };
  const progress = () => syncProgress(ops);
  const passDone = (what: string, test: (p: SyncProgress) => boolean) =>
    eventually(what, async () => {
      const p = await progress();
      return p.state === 'waiting' && test(p) ? p : undefined;
    }, 30_000);
  let changes = 0;
  const changeInCic = async () => {
    const before = (await progress()).passes;
    const user: any = h.cic.directory.list().find((u: any) => u.configurationId.id !== 'PureCloudAdmin' && u.personalInformationProperties?.emailAddress);
    await h.cicAdmin('PATCH', `/__admin/users/${encodeURIComponent(user.configurationId.id)}`, {
      personalInformationProperties: { mobileNumber: `+1 317 555 01${String(++changes).padStart(2, '0')}` },
    });
    await passDone('a delta pass', (p) => p.passes > before && p.lastPass?.kind === 'delta');
  };

  await h.pair();
  await passDone('the initial full pass', (p) => p.lastFullPass?.status === 'completed');
  const sync = h.temporal.workflow.getHandle('directory-sync/demo-org');
  const firstRunId = (await sync.describe()).runId;
  await changeInCic();
  const before = (await progress()).passes;
  await requestBackfill(ops, { requestedBy: 'record-histories' });
  await passDone('the backfill', (p) => p.passes > before && p.lastPass?.kind === 'full');
  const firstRun = h.temporal.workflow.getHandle('directory-sync/demo-org', firstRunId);
  for (let i = 0; (await firstRun.describe()).status.name === 'RUNNING'; i++) {
    if (i === 20) throw new Error('the sync did not continue as new after 20 delta passes');
    await changeInCic();
  }
  const secondRunId = (await sync.describe()).runId;
  await changeInCic();
  const watch = h.temporal.workflow.getHandle('cic-watch/demo-org');
  await unpair({ db: h.db, temporal: h.temporal });
  const closed = (handle: WorkflowHandle) =>
    eventually('the run to close', async () => (await handle.describe()).status.name !== 'RUNNING');
  await closed(h.temporal.workflow.getHandle('directory-sync/demo-org', secondRunId));
  await closed(watch);
  // A change that read the pairing just before unpair restarts the sync: it finds no pairing and ends.
  await h.temporal.workflow.signalWithStart(directorySyncWorkflow, {
    workflowId: 'directory-sync/demo-org',
    taskQueue: h.config.taskQueue,
    args: [{ orgShortName: 'demo-org', reconcileIntervalSeconds: 3600 }],
    searchAttributes: { BridgeOrg: ['demo-org'], BridgeKind: ['directory-sync'] },
    signal: usersChangedSignal,
    signalArgs: [{ userIds: ['someone'] }],
  });
  const restartedRunId = (await sync.describe()).runId;
  await closed(h.temporal.workflow.getHandle('directory-sync/demo-org', restartedRunId));
  const plumbing = await runPlumbingCheck(h.temporal, h.config);

  const fetch = async (workflowId: string, runId: string | undefined, workflowType: string, scenario: string) => {
    // Saved decrypted: the replay test has no key (it is made per run), and replay must not need one.
    const history = await decodePayloadsIn(await h.temporal.workflow.getHandle(workflowId, runId).fetchHistory(), payloadCodecFor(h.config)!);
    return { workflowId, workflowType, recordedFrom, scenario, history: JSON.parse(historyToJSON(history)) };
  };
  return [
    await fetch('directory-sync/demo-org', firstRunId, 'directorySyncWorkflow', 'directory-sync-first-run'),
    await fetch('directory-sync/demo-org', secondRunId, 'directorySyncWorkflow', 'directory-sync-continued-then-unpaired'),
    await fetch('directory-sync/demo-org', restartedRunId, 'directorySyncWorkflow', 'directory-sync-restarted-without-pairing'),
    await fetch('cic-watch/demo-org', undefined, 'cicWatchWorkflow', 'cic-watch-unpaired'),
    await fetch('account-linking/demo-org', undefined, 'accountLinkingWorkflow', 'account-linking-unpaired'),
    await fetch(plumbing.workflowId, plumbing.runId, 'plumbingCheckWorkflow', 'plumbing-check'),
  ];
}

main().catch((err) => {
  process.stderr.write(`[record] ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
