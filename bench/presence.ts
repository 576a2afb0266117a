import { sql } from 'kysely';
import { startGenesysSimulator, SYSTEM_PRESENCE_DEFINITIONS } from '../simulators/genesys';
import { startCicSimulatorPair, statusCatalog } from '../simulators/cic';
import { pair, pairingDeps } from '../operations/pairing';
import { simulatorPairRequest } from '../simulators/demo-pairing';
import { presenceForUserStatus } from '../domain/presence-mapping';
import { arg, benchEnvironment, cpuSeconds, peakRssMb, percentile, waitForFullPass, waitForWorker } from './support';
import { spawnWorkerProcess, stopWorkerProcess } from '../workers/spawn';

const presenceOfDefinition = new Map(SYSTEM_PRESENCE_DEFINITIONS.map((d) => [d.id, d.systemPresence]));
const PRESENCE_WRITE = /^(PUT \/api\/v2\/users\/presences\/bulk|PATCH \/api\/v2\/users\/\{userId\}\/presences\/\{sourceId\})$/;

/**
 * Status → presence under load: the CIC simulator drives `--rate` status changes a second spread over
 * `--users` users (2% of them start a flapping burst of five changes 40 ms apart), and the Genesys simulator
 * answers at its real 300 requests/min per token (`--unlimited`: no limit, and no budget in the bridge).
 * Latency is CIC change → the simulator showing that user's new presence, for changes not superseded by a
 * later change of the same user first. The directory is synced first with no limit (10,000 creates at 300 a
 * minute would take over half an hour), then the limit is put in place for the measured drive.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const users = arg(args, 'users', 10_000);
  const rate = arg(args, 'rate', 200);
  const seconds = arg(args, 'seconds', 60);
  const unlimited = args.includes('--unlimited');
  const budget = unlimited ? 0 : arg(args, 'budget', 300);
  const env = await benchEnvironment('presence');
  const genesys = await startGenesysSimulator({ rateLimitPerMinute: 0 });
  const cic = await startCicSimulatorPair({ directory: { count: users, seed: 42 } });
  const worker = spawnWorkerProcess(env.config);
  await waitForWorker(env.temporal, env.config.temporalNamespace, env.config.taskQueue);
  const state = genesys.state;
  const catalogPresence = (statusId: string, loggedIn: boolean) => presenceForUserStatus({ statusId, loggedIn }, statusCatalog);
  const expected = (cicId: string) => {
    const s = cic.directory.getStatus(cicId)!;
    return catalogPresence(s.statusId, s.loggedIn ?? false);
  };
  const shown = (cloudId: string, sourceId: string) => {
    const p = state.presence.get(cloudId);
    const e = p?.primarySourceId === sourceId ? p.bySource.get(sourceId) : undefined;
    return e && { presence: presenceOfDefinition.get(e.definitionId), at: Date.parse(e.modifiedDate) };
  };
  const writes = () => state.requestLog.countsList().filter((c) => PRESENCE_WRITE.test(`${c.method} ${c.template}`) && c.status < 300).reduce((n, c) => n + c.count, 0);
  const count429 = () => state.requestLog.countsList().filter((c) => c.status === 429).reduce((n, c) => n + c.count, 0);
  try {
    const t0 = Date.now();
    await pair(pairingDeps(env.config, env), simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: 0 }));
    await waitForFullPass(env, undefined, 900_000);
    const links = new Map<string, string>();
    for (const u of state.directory.users.values()) if (u.doc.externalId) links.set(u.doc.externalId as string, u.id);
    const sourceId = () => [...state.presenceSources.values()][0]?.id;
    const mismatches = () => {
      const src = sourceId();
      let n = 0;
      for (const [cicId, cloudId] of links) if (!src || shown(cloudId, src)?.presence !== expected(cicId)) n++;
      return n;
    };
    while (mismatches() > 0) {
      if (Date.now() - t0 > 900_000) throw new Error(`initial presence incomplete: ${mismatches()} users`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const setupSeconds = (Date.now() - t0) / 1000;
    const src = sourceId()!;
    if (budget) {
      state.setRateLimit(budget);
      await sql`UPDATE pairing SET options = options || ${JSON.stringify({ rateLimitPerMinute: budget })}::jsonb`.execute(env.db);
      // The worker reads the pairing again within 5 s and builds its Genesys client with the new budget.
      await new Promise((r) => setTimeout(r, 6_000));
    }

    // The drive.
    const ids = [...links.keys()];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const byPresence = new Map<string, string[]>();
    for (const s of statusCatalog.filter((x) => x.isSelectableStatus)) {
      const p = catalogPresence(s.statusId, true);
      byPresence.set(p, [...(byPresence.get(p) ?? []), s.statusId]);
    }
    const presences = [...byPresence.keys()];
    interface Change { cicId: string; presence: string; at: number }
    const pending = new Map<string, Change>();
    const latencies: number[] = [];
    const buckets: number[][] = [];
    let alreadyShown = 0;
    let changes = 0;
    let superseded = 0;
    const change = (cicId: string) => {
      const current = expected(cicId);
      const choices = presences.filter((p) => p !== current);
      const presence = choices[Math.floor(rnd() * choices.length)];
      const statuses = byPresence.get(presence)!;
      const at = Date.now();
      if (pending.has(cicId)) superseded++;
      if (presence === 'Offline' && rnd() < 0.3) cic.directory.setStatus(cicId, { loggedIn: false });
      else cic.directory.setStatus(cicId, { statusId: statuses[Math.floor(rnd() * statuses.length)], loggedIn: true });
      pending.set(cicId, { cicId, presence: expected(cicId), at });
      changes++;
    };
    const observe = () => {
      for (const [cicId, c] of pending) {
        const s = shown(links.get(cicId)!, src);
        if (s?.presence !== c.presence) continue;
        pending.delete(cicId);
        // Flapping back to the presence already pushed needs no write: shown, but nothing to time.
        if (s.at < c.at - 1) {
          alreadyShown++;
          continue;
        }
        latencies.push(Math.max(0, s.at - c.at));
        const b = Math.floor((c.at - driveStart) / 5000);
        (buckets[b] ??= []).push(Math.max(0, s.at - c.at));
      }
    };
    let driveStart = Date.now();
    const observer = setInterval(observe, 5);
    const writes0 = writes();
    const r429 = count429();
    const updates0 = new Map([...links.values()].map((id) => [id, state.presence.get(id)?.updates ?? 0]));
    const cpu0 = cpuSeconds(worker.pid!);
    driveStart = Date.now();
    const flapTimers: NodeJS.Timeout[] = [];
    let made = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const elapsed = Date.now() - driveStart;
        if (elapsed >= seconds * 1000) {
          clearInterval(tick);
          resolve();
          return;
        }
        const due = Math.floor((elapsed / 1000) * rate);
        while (made < due) {
          const cicId = ids[Math.floor(rnd() * ids.length)];
          made++;
          if (rnd() < 0.02 / 5) {
            // A flapping agent: this change and four more 40 ms apart (counted against the rate).
            made += 4;
            change(cicId);
            for (let k = 1; k <= 4; k++) flapTimers.push(setTimeout(() => change(cicId), k * 40));
          } else change(cicId);
        }
      }, 5);
    });
    const driveSeconds = (Date.now() - driveStart) / 1000;
    await new Promise((r) => setTimeout(r, 5_000));
    clearInterval(observer);
    observe();
    const finalMismatches = mismatches();
    const updated = [...links.values()].map((id) => (state.presence.get(id)?.updates ?? 0) - (updates0.get(id) ?? 0));
    return {
      bench: 'presence',
      users,
      linked_users: links.size,
      rate,
      seconds,
      budget_per_min: budget || 'unlimited',
      drive_seconds: Number(driveSeconds.toFixed(1)),
      changes,
      superseded,
      measured: latencies.length,
      already_shown: alreadyShown,
      never_shown: pending.size,
      latency_p99_by_5s: buckets.map((b) => percentile(b, 99)),
      presence_writes: writes() - writes0,
      users_written: updated.filter((n) => n > 0).length,
      presences_written: updated.reduce((a, b) => a + b, 0),
      latency_p50_ms: percentile(latencies, 50),
      latency_p95_ms: percentile(latencies, 95),
      latency_p99_ms: percentile(latencies, 99),
      latency_max_ms: Math.max(...latencies),
      final_mismatches: finalMismatches,
      responses_429: count429() - r429,
      setup_seconds: Number(setupSeconds.toFixed(1)),
      drive_worker_cpu_s: Number((cpuSeconds(worker.pid!) - cpu0).toFixed(2)),
      rss_mb: peakRssMb(worker.pid!),
    };
  } finally {
    await stopWorkerProcess(worker);
    await cic.close();
    await genesys.close();
    await env.close();
  }
}
