import { startGenesysSimulator } from '../simulators/genesys';
import { startCicSimulatorPair } from '../simulators/cic';
import { pair, pairingDeps } from '../operations/pairing';
import { simulatorPairRequest } from '../simulators/demo-pairing';
import { arg, benchEnvironment, waitForWorker } from './support';
import { spawnWorkerProcess, stopWorkerProcess } from '../workers/spawn';

/**
 * The Genesys request budget under a backlog: the simulator enforces 300 requests/min per token, as Genesys
 * does by default, and the bridge has far more to send than that. Over the measured window the bridge should
 * use nearly all of the budget and never be answered 429.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const budget = arg(args, 'budget', 300);
  const seconds = arg(args, 'seconds', 120);
  const users = arg(args, 'users', Math.ceil((budget * seconds) / 60) * 2 + 100);
  const env = await benchEnvironment('budget');
  const genesys = await startGenesysSimulator({ rateLimitPerMinute: budget });
  const cic = await startCicSimulatorPair({ directory: { count: users, seed: 7 } });
  const worker = spawnWorkerProcess(env.config);
  await waitForWorker(env.temporal, env.config.temporalNamespace, env.config.taskQueue);
  try {
    await pair(pairingDeps(env.config, env), simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: budget }));
    const apiCounts = () => {
      const rows = genesys.state.requestLog.countsList().filter((c) => c.template.startsWith('/api/'));
      return { ok: rows.filter((c) => c.status !== 429).reduce((n, c) => n + c.count, 0), r429: rows.filter((c) => c.status === 429).reduce((n, c) => n + c.count, 0) };
    };
    const start = apiCounts();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const end = apiCounts();
    const minutes = (Date.now() - t0) / 60_000;
    const achieved = (end.ok - start.ok) / minutes;
    return {
      bench: 'provisioning-budget',
      budget_per_min: budget,
      achieved_per_min: Math.round(achieved),
      share_of_budget: Number((achieved / budget).toFixed(3)),
      responses_429: end.r429,
      seconds,
      backlog_users: users,
    };
  } finally {
    await stopWorkerProcess(worker);
    await cic.close();
    await genesys.close();
    await env.close();
  }
}
