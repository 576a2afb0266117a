import { randomBytes } from 'node:crypto';
import { startStack } from '../stack';
import { loadConfig } from '../lib/config';
import { configureLogging } from '../lib/logger';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { runWorkers } from '../workers/main';
import { connectTemporalClient, workflowUiLink } from '../lib/temporal-client';
import { openProducer } from '../queues/connection';
import { startGenesysSimulator } from '../simulators/genesys';
import { startCicSimulatorPair } from '../simulators/cic';
import { pair, pairingDeps } from '../operations/pairing';
import { simulatorPairRequest } from '../simulators/demo-pairing';
import { listUserStates, syncProgress } from '../operations/directory';
import { directorySyncWorkflowId } from '../workflows/directory-sync-api';
import { renderProgressBar } from './progress';
import { runPlumbingCheck } from './plumbing';
import { announceDemo, lookAroundLines } from './demo-state';

const DEMO_USERS = 300;
/** Genesys raises an OAuth client's limit on request; the demo's organization has 6,000/min so it runs in seconds. */
const DEMO_RATE_LIMIT = 6000;

/**
 * The README's demo: the services, both simulators with a seeded directory, the workers; pairs, shows the
 * initial sync with progress and its summary, then one CIC change arriving in the cloud.
 */
export async function runDemo(opts: { holdSeconds?: number; users?: number }): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  say('» starting PostgreSQL, Redis and Temporal (the first run builds the Temporal CLI: a few minutes)');
  const stack = await startStack();
  const cleanups: (() => Promise<unknown>)[] = [() => stack.stop()];
  try {
    const config = loadConfig(
      { ...process.env, ...stack.env },
      {
        httpPort: 0,
        logLevel: 'warn',
        secretKey: process.env.BRIDGE_SECRET_KEY ?? randomBytes(24).toString('hex'),
        // The dev server's UI may call the codec endpoint to show the encrypted payloads.
        ...(stack.temporalUiUrl && { codecCorsOrigins: new URL(stack.temporalUiUrl).origin }),
      },
    );
    configureLogging({ level: config.logLevel });
    const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 2 });
    cleanups.unshift(() => db.destroy());
    await migrateToLatest(db, config.databaseSchema);

    const users = opts.users ?? DEMO_USERS;
    say(`» starting the simulators: Genesys Cloud (org demo-org) and a CIC switchover pair with ${users} seeded users`);
    const genesys = await startGenesysSimulator({ rateLimitPerMinute: DEMO_RATE_LIMIT });
    cleanups.unshift(() => genesys.close());
    const cic = await startCicSimulatorPair({ directory: { count: users, seed: 2026 } });
    cleanups.unshift(() => cic.close());
    say(`  Genesys Cloud api ${genesys.urls.api}, login ${genesys.urls.login}; CIC ${cic.urls.primary} (backup ${cic.urls.backup})`);

    const workers = await runWorkers(config);
    cleanups.unshift(() => workers.stop());
    const temporal = await connectTemporalClient(config);
    cleanups.unshift(() => temporal.connection.close());
    const redis = await openProducer(config.redisUrl);
    cleanups.unshift(async () => redis.disconnect());

    const check = await runPlumbingCheck(temporal, config);
    say(`» plumbing check ${check.workflowId}: PostgreSQL row → BullMQ job ${check.result.jobId} → queue worker: ok`);

    say('» pairing: checks PureCloudAdmin in CIC and the OAuth client, stores the pairing (secrets sealed), starts the sync');
    const started = Date.now();
    await pair(
      pairingDeps(config, { db, redis, temporal }),
      simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: DEMO_RATE_LIMIT }),
    );
    let progress = await syncProgress({ db, temporal });
    while (!(progress.lastFullPass && !progress.fullPending)) {
      if (progress.current && process.stdout.isTTY) {
        process.stdout.write(`\r  ${renderProgressBar(progress.current.applied, progress.current.planned, progress.current.phase)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
      progress = await syncProgress({ db, temporal });
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    const pass = progress.lastFullPass!;
    const { counts, users: notSynced } = await listUserStates(db, 'not-synced');
    const { users: errors } = await listUserStates(db, 'error');
    say(`» initial sync: ${pass.read} CIC users read in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    say(`  synced ${counts.synced ?? 0}, not synced ${counts['not-synced'] ?? 0}, errors ${(counts.error ?? 0) + (counts.conflict ?? 0)}`);
    const reasons = new Map<string, number>();
    for (const u of notSynced) reasons.set(u.reason ?? '?', (reasons.get(u.reason ?? '?') ?? 0) + 1);
    for (const [reason, n] of reasons) say(`  not synced: ${reason} (${n})`);
    for (const u of errors.slice(0, 5)) say(`  error: ${u.cicId}: ${u.reason}`);
    if (errors.length > 5) say(`  ... and ${errors.length - 5} more (bridge users --state error)`);

    const ui = stack.temporalUiUrl ?? process.env.TEMPORAL_UI_URL;
    if (ui) say(`» Temporal UI: ${ui}\n  the sync:    ${workflowUiLink(ui, config.temporalNamespace, directorySyncWorkflowId('demo-org'))}`);
    if (ui) say(`  payloads are encrypted; to read them, set the UI's codec server (⚙) to http://127.0.0.1:${workers.healthPort}/codec`);

    const target = genesys.state.directory.users.values().next().value;
    const cicId = target?.doc.externalId as string | undefined;
    if (cicId) {
      const name = `Renamed In CIC ${new Date().toISOString().slice(11, 19)}`;
      say(`» changing ${cicId}'s display name in CIC to "${name}"`);
      const changedAt = Date.now();
      cic.directory.change(cicId, { personalInformationProperties: { displayName: name } });
      for (;;) {
        const u = [...genesys.state.directory.users.values()].find((x) => x.doc.externalId === cicId);
        if (u?.doc.displayName === name) break;
        if (Date.now() - changedAt > 15_000) throw new Error('the change did not reach the cloud within 15 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      say(`  visible in Genesys Cloud ${Date.now() - changedAt} ms later`);
    }

    const hold = opts.holdSeconds ?? (process.stdout.isTTY ? Infinity : 0);
    if (hold > 0) {
      cleanups.unshift(announceDemo(config, stack, workers.healthPort));
      for (const line of lookAroundLines(errors[0]?.cicId ?? cicId, !process.env.BRIDGE_SECRET_KEY)) say(line);
      say(hold === Infinity ? '» everything stays up; press Ctrl-C to stop' : `» staying up for ${hold} s`);
      await new Promise<void>((resolve) => {
        const timer = hold === Infinity ? undefined : setTimeout(resolve, hold * 1000);
        const onSignal = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      });
    }
  } finally {
    for (const c of cleanups) await c().catch(() => {});
    say('» stopped');
  }
}
