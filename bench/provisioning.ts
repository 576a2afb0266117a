import { startGenesysSimulator } from '../simulators/genesys';
import { startCicSimulatorPair } from '../simulators/cic';
import { pair, pairingDeps } from '../operations/pairing';
import { simulatorPairRequest } from '../simulators/demo-pairing';
import { requestBackfill, syncProgress } from '../operations/directory';
import { arg, benchEnvironment, cpuSeconds, fullPassPhases, peakRssMb, percentile, median, waitForWorker, waitForFullPass } from './support';
import { spawnWorkerProcess, stopWorkerProcess } from '../workers/spawn';
import { directorySyncWorkflowId } from '../workflows/directory-sync-api';

const WRITE = /^(POST|PUT|PATCH|DELETE)$/;

/**
 * Provisioning benchmark against the simulators, rate limit off (it measures the bridge, not the budget):
 * the initial sync of N users, a no-op resync, and the latency of single CIC changes until the simulator
 * shows them. The worker runs in its own process so `rss_mb` is the worker's alone.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const users = arg(args, 'users', 10_000);
  const changes = arg(args, 'changes', 50);
  const env = await benchEnvironment('prov');
  const genesys = await startGenesysSimulator({ rateLimitPerMinute: 0 });
  const cic = await startCicSimulatorPair({ directory: { count: users, seed: 42 } });
  const worker = spawnWorkerProcess(env.config);
  await waitForWorker(env.temporal, env.config.temporalNamespace, env.config.taskQueue);
  const writes = () => genesys.state.requestLog.countsList().filter((c) => WRITE.test(c.method) && c.template.includes('/scim/')).reduce((n, c) => n + c.count, 0);
  try {
    const emails = new Map<string, number>();
    for (const u of cic.directory.list()) {
      const e = u.personalInformationProperties?.emailAddress?.toLowerCase();
      if (e && u.configurationId.id !== 'PureCloudAdmin') emails.set(e, (emails.get(e) ?? 0) + 1);
    }
    const minimalWrites = [...emails.values()].filter((n) => n === 1).length;

    const cpu0 = cpuSeconds(worker.pid!);
    const t0 = Date.now();
    await pair(pairingDeps(env.config, env), simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: 0 }));
    // The initial sync is done when its full pass is: every user created, linked or reported.
    let first = await syncProgress(env).catch(() => undefined);
    while (!first?.lastFullPass) {
      if (Date.now() - t0 > 600_000) throw new Error('no initial sync within 10 minutes');
      await new Promise((r) => setTimeout(r, 50));
      first = await syncProgress(env).catch(() => undefined);
    }
    const initialSeconds = (Date.now() - t0) / 1000;
    const initialCpu = cpuSeconds(worker.pid!) - cpu0;
    await waitForFullPass(env, undefined, 600_000);
    const initialWrites = writes();
    // The watch's first snapshot, taken while the initial pass was still reading, may ask for one more
    // (no-op) pass; its writes, if any, count in scim_writes. Let everything settle before measuring.
    await new Promise((r) => setTimeout(r, 1500));
    let settled = await syncProgress(env);
    while (settled.state !== 'waiting' || settled.fullPending || settled.pendingUserIds) {
      await new Promise((r) => setTimeout(r, 100));
      settled = await syncProgress(env);
    }

    const writesBefore = writes();
    const requestsBefore = genesys.state.requestLog.countsList().reduce((n, c) => n + c.count, 0);
    const cpu1 = cpuSeconds(worker.pid!);
    const t1 = Date.now();
    await requestBackfill({ ...env, taskQueue: env.config.taskQueue }, { requestedBy: 'bench' });
    await waitForFullPass(env, settled.lastFullPass?.runId, 300_000);
    const noopSeconds = (Date.now() - t1) / 1000;
    const noopCpu = cpuSeconds(worker.pid!) - cpu1;
    const noopWrites = writes() - writesBefore;
    const noopRequests = genesys.state.requestLog.countsList().reduce((n, c) => n + c.count, 0) - requestsBefore;
    const phases = await fullPassPhases(env.temporal, directorySyncWorkflowId('demo-org')).catch(() => []);

    const cloudIdByCic = new Map<string, string>();
    for (const u of genesys.state.directory.users.values()) if (u.doc.externalId) cloudIdByCic.set(u.doc.externalId as string, u.id);
    const synced = [...cloudIdByCic.keys()];
    const latencies: number[] = [];
    for (let i = 0; i < changes; i++) {
      const cicId = synced[(i * 7919) % synced.length];
      const cloudId = cloudIdByCic.get(cicId)!;
      const name = `Bench Change ${i} ${Date.now()}`;
      const at = Date.now();
      cic.directory.change(cicId, { personalInformationProperties: { displayName: name } });
      while (genesys.state.directory.users.get(cloudId)?.doc.displayName !== name) {
        if (Date.now() - at > 30_000) throw new Error(`change ${i} not visible after 30 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(Date.now() - at);
      // Changes are spaced out like an administrator's edits, not a burst.
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      bench: 'provisioning',
      users,
      initial_seconds: Number(initialSeconds.toFixed(2)),
      initial_worker_cpu_s: Number(initialCpu.toFixed(2)),
      initial_read: first.lastFullPass?.read,
      scim_writes: initialWrites,
      minimal_writes: minimalWrites,
      noop_resync_seconds: Number(noopSeconds.toFixed(2)),
      noop_resync_worker_cpu_s: Number(noopCpu.toFixed(2)),
      noop_resync_writes: noopWrites,
      noop_resync_requests: noopRequests,
      initial_phases_s: phases[0],
      noop_phases_s: phases[phases.length - 1],
      change_p50_ms: median(latencies),
      change_p95_ms: percentile(latencies, 95),
      change_max_ms: Math.max(...latencies),
      changes: latencies.length,
      rss_mb: peakRssMb(worker.pid!),
    };
  } finally {
    await stopWorkerProcess(worker);
    await cic.close();
    await genesys.close();
    await env.close();
  }
}
