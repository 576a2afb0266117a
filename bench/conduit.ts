import { sql } from 'kysely';
import { startGenesysSimulator } from '../simulators/genesys';
import { startCicSimulatorPair } from '../simulators/cic';
import { pair, pairingDeps } from '../operations/pairing';
import { simulatorPairRequest } from '../simulators/demo-pairing';
import { enableConduit } from '../operations/conduit';
import { arg, benchEnvironment, cpuSeconds, peakRssMb, waitForWorker } from './support';
import { spawnWorkerProcess, stopWorkerProcess } from '../workers/spawn';

/** Events one generated interaction makes: created, queued, alerting, connected, disconnected. */
const EVENTS_PER_INTERACTION = 5;

/**
 * Conduit benchmark: interactions generated in the CIC simulator (ACD calls through a workgroup, each run
 * through its whole lifecycle at once) flow through the real worker process (ICWS watch → capture → outbox →
 * export workflow → the simulator's conduit endpoint). `events_per_second` runs from the first generated
 * change to the last event acknowledged; `lag_p95_ms` is capture to acknowledgement per event. Rate limit off
 * by default; `--budget` pairs with and enforces 300 requests/min, where what counts is events per request.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const budget = args.includes('--budget');
  const events = arg(args, 'events', 200_000);
  const rate = arg(args, 'rate', 10_000);
  const interactions = Math.ceil(events / EVENTS_PER_INTERACTION);
  const limit = budget ? 300 : 0;
  const env = await benchEnvironment('conduit');
  const genesys = await startGenesysSimulator({ rateLimitPerMinute: limit });
  const cic = await startCicSimulatorPair({ directory: { count: 50, seed: 11 } });
  const worker = spawnWorkerProcess(env.config);
  try {
    await waitForWorker(env.temporal, env.config.temporalNamespace, env.config.taskQueue);
    await pair(pairingDeps(env.config, env), simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: limit }));
    await enableConduit({ ...env, taskQueue: env.config.taskQueue }, { workgroups: ['Bench'] });
    // The watch reconnects with the queue subscription.
    for (const t0 = Date.now(); ; ) {
      const subscribed = [cic.servers.a, cic.servers.b].some((s) => [...s.sessions.values()].some((x) => x.subscriptions.has('queues/cloud-bridge-conduit')));
      if (subscribed) break;
      if (Date.now() - t0 > 60_000) throw new Error('the watch did not subscribe to the conduit queues');
      await new Promise((r) => setTimeout(r, 100));
    }
    const agents = cic.directory.list().map((u) => u.configurationId.id).filter((id) => id !== 'PureCloudAdmin');
    const ids: string[] = [];
    const cpu0 = cpuSeconds(worker.pid!);
    const t0 = Date.now();
    // Paced at `rate` events per second, in 20 ms ticks.
    const perTick = Math.max(1, Math.round((rate * 0.02) / EVENTS_PER_INTERACTION));
    while (ids.length < interactions) {
      const tick = Date.now();
      for (let i = 0; i < perTick && ids.length < interactions; i++) {
        const { id } = cic.interactions.start({ type: 'call', workgroup: 'Bench', userId: agents[ids.length % agents.length] });
        for (const to of ['alerting', 'connected', 'disconnected', 'removed'] as const) cic.interactions.advance(id, { to });
        ids.push(id);
      }
      const wait = 20 - (Date.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const generatedSeconds = (Date.now() - t0) / 1000;
    const want = interactions * EVENTS_PER_INTERACTION;
    const idSet = new Set(ids);
    const stored = () => {
      let n = 0;
      for (const e of genesys.state.conduitEvents.values()) if (idSet.has(e.interactionId)) n++;
      return n;
    };
    // Done when every event is in, or nothing has moved for 60 s.
    let last = -1;
    let lastMoved = Date.now();
    for (;;) {
      const n = genesys.state.conduitEvents.size;
      if (n >= want) break;
      if (n !== last) {
        last = n;
        lastMoved = Date.now();
      } else if (Date.now() - lastMoved > 60_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuSeconds(worker.pid!) - cpu0;
    const delivered = stored();
    const requests = genesys.state.requestLog.countsList().filter((c) => c.template.includes('/conduit/')).reduce((n, c) => n + c.count, 0);
    const lag = await sql<{ p50: number; p95: number }>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
      FROM (SELECT extract(epoch FROM b.acked_at - o.captured_at) * 1000 AS ms
            FROM conduit_outbox o JOIN conduit_batches b ON b.kind = 'export' AND b.status = 'acked' AND o.position BETWEEN b.from_position AND b.to_position) t`.execute(env.db);
    const span = await sql<{ first: number; last: number; send_ms: number }>`
      SELECT extract(epoch FROM min(captured_at)) * 1000 AS first, extract(epoch FROM max(captured_at)) * 1000 AS last,
             (SELECT avg(extract(epoch FROM acked_at - sent_at) * 1000) FROM conduit_batches WHERE status = 'acked') AS send_ms
      FROM conduit_outbox`.execute(env.db);
    const batches = await sql<{ n: string; avg: number; max_bytes: number }>`
      SELECT count(*) AS n, avg(events) AS avg, max(bytes) AS max_bytes FROM conduit_batches WHERE kind = 'export' AND status = 'acked'`.execute(env.db);
    return {
      bench: budget ? 'conduit-budget' : 'conduit',
      events: want,
      delivered,
      events_per_second: Math.round(delivered / seconds),
      seconds: Number(seconds.toFixed(2)),
      generated_seconds: Number(generatedSeconds.toFixed(2)),
      requests,
      batches: Number(batches.rows[0].n),
      avg_batch_events: Math.round(Number(batches.rows[0].avg ?? 0)),
      max_batch_bytes: batches.rows[0].max_bytes,
      events_per_request: requests ? Number((delivered / requests).toFixed(1)) : 0,
      lost: want - delivered,
      duplicates: genesys.state.conduitDuplicatesReceived,
      lag_p50_ms: Math.round(Number(lag.rows[0].p50 ?? 0)),
      lag_p95_ms: Math.round(Number(lag.rows[0].p95 ?? 0)),
      capture_first_ms: Math.round(Number(span.rows[0].first) - t0),
      capture_last_ms: Math.round(Number(span.rows[0].last) - t0),
      batch_send_avg_ms: Math.round(Number(span.rows[0].send_ms ?? 0)),
      worker_cpu_s: Number(cpu.toFixed(2)),
      rss_mb: peakRssMb(worker.pid!),
      ...(budget && { budget_per_minute: limit }),
    };
  } finally {
    await stopWorkerProcess(worker);
    await cic.close();
    await genesys.close();
    await env.close();
  }
}
