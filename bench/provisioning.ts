import { startGenesysSimulator } from '../simulators/genesys';
import { startCicSimulatorPair } from '../simulators/cic';
import { pair } from '../operations/pairing';
import { requestBackfill, syncProgress } from '../operations/directory';
import { arg, benchEnvironment, peakRssMb, percentile, median, startWorkerProcess, waitForWorker, waitForFullPass } from './support';

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
  const worker = startWorkerProcess(env.config);
  await waitForWorker(env.temporal, env.config.temporalNamespace, env.config.taskQueue);
  const writes = () => genesys.state.requestLog.countsList().filter((c) => WRITE.test(c.method) && c.template.includes('/scim/')).reduce((n, c) => n + c.count, 0);
  try {
    const emails = new Map<string, number>();
    for (const u of cic.directory.list()) {
      const e = u.personalInformationProperties?.emailAddress?.toLowerCase();
      if (e && u.configurationId.id !== 'PureCloudAdmin') emails.set(e, (emails.get(e) ?? 0) + 1);
    }
    const minimalWrites = [...emails.values()].filter((n) => n === 1).length;

    const t0 = Date.now();
    await pair(
      { ...env, taskQueue: env.config.taskQueue, secretKey: env.config.secretKey, budgetPrefix: `${env.config.queuePrefix}:budget` },
      {
        orgShortName: 'demo-org',
        apiUrl: genesys.urls.api,
        loginUrl: genesys.urls.login,
        clientId: 'demo-client',
        clientSecret: 'demo-secret',
        cicServers: [cic.urls.primary, cic.urls.backup],
        cicPassword: 'admin-pass',
        options: { rateLimitPerMinute: 0 },
      },
    );
    const first = await waitForFullPass(env, 0, 600_000);
    const initialSeconds = (Date.now() - t0) / 1000;
    const initialWrites = writes();
    // The watch's first snapshot may ask for one more (no-op) pass; let everything settle before measuring.
    await new Promise((r) => setTimeout(r, 1500));
    let settled = await syncProgress(env);
    while (settled.state !== 'waiting' || settled.fullPending || settled.pendingUserIds) {
      await new Promise((r) => setTimeout(r, 100));
      settled = await syncProgress(env);
    }

    const writesBefore = writes();
    const t1 = Date.now();
    await requestBackfill({ ...env, taskQueue: env.config.taskQueue }, { requestedBy: 'bench' });
    await waitForFullPass(env, settled.passes, 300_000);
    const noopSeconds = (Date.now() - t1) / 1000;
    const noopWrites = writes() - writesBefore;

    const synced = [...genesys.state.directory.users.values()].map((u) => u.doc.externalId as string).filter(Boolean);
    const latencies: number[] = [];
    for (let i = 0; i < changes; i++) {
      const cicId = synced[(i * 7919) % synced.length];
      const name = `Bench Change ${i} ${Date.now()}`;
      const at = Date.now();
      cic.directory.change(cicId, { personalInformationProperties: { displayName: name } });
      const byExternal = () => [...genesys.state.directory.users.values()].find((u) => u.doc.externalId === cicId);
      const rec = byExternal();
      for (;;) {
        if ((rec ?? byExternal())?.doc.displayName === name) break;
        if (Date.now() - at > 30_000) throw new Error(`change ${i} not visible after 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(Date.now() - at);
    }
    return {
      bench: 'provisioning',
      users,
      initial_seconds: Number(initialSeconds.toFixed(2)),
      initial_read: first.lastPass?.read,
      scim_writes: initialWrites,
      minimal_writes: minimalWrites,
      noop_resync_seconds: Number(noopSeconds.toFixed(2)),
      noop_resync_writes: noopWrites,
      change_p50_ms: median(latencies),
      change_p95_ms: percentile(latencies, 95),
      change_max_ms: Math.max(...latencies),
      changes: latencies.length,
      rss_mb: peakRssMb(worker.pid!),
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await cic.close();
    await genesys.close();
    await env.close();
  }
}
