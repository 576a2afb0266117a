import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../lib/config';
import { configureLogging, registerSecretValue } from '../lib/logger';
import { createDb } from '../db/database';
import { migrateDown, migrateToLatest, pendingMigrations } from '../db/migrate';
import { Client } from '@temporalio/client';
import { dataConverterFor } from '../lib/payload-codec';
import { runPlumbingCheck } from './plumbing';
import { addDirectoryCommands } from './directory-commands';
import { addIdpCommands } from './idp-commands';
import { addHealthCommands } from './health-commands';
import { addPresenceCommands } from './presence-commands';
import { addConduitCommands } from './conduit-commands';
import { configureUsageErrors, reportCliError } from './errors';
import { discoverBridge } from './discovery';
import { addStartCommand } from './start';
import { reachPostgres, reachTemporal } from './reach';
import { addSecretsCommands } from './secrets-commands';
import { configureSecretKeys } from '../lib/secrets';

function config(overrides: Parameters<typeof loadConfig>[1] = {}): Config {
  // Unset service addresses come from the state file of the bridge running on this machine.
  const cfg = loadConfig(discoverBridge(process.env).env, overrides);
  configureLogging({ level: cfg.logLevel });
  configureSecretKeys({ previous: cfg.secretKeyPrevious });
  for (const v of [cfg.pairClientSecret, cfg.pairCicPassword, cfg.codecAccessToken]) registerSecretValue(v);
  return cfg;
}

const program = configureUsageErrors(new Command('bridge').description('cloud-bridge: PureConnect (CIC) ↔ Genesys Cloud'));

program
  .command('migrate')
  .description('apply database migrations (up to latest), or undo them (down)')
  .argument('[direction]', 'up | down | status', 'up')
  .option('--all', 'with down: undo every migration')
  .action(async (direction: string, opts: { all?: boolean }) => {
    const cfg = config();
    await reachPostgres(cfg);
    const db = createDb({ databaseUrl: cfg.databaseUrl, schema: cfg.databaseSchema, max: 1 });
    try {
      if (direction === 'up') print(await migrateToLatest(db, cfg.databaseSchema), 'already at the latest migration');
      else if (direction === 'down') print(await migrateDown(db, cfg.databaseSchema, opts.all), 'nothing to undo');
      else if (direction === 'status') print((await pendingMigrations(db, cfg.databaseSchema)).map((m) => `pending ${m}`), 'up to date');
      else throw new ConfigError(`migrate: unknown direction "${direction}" (use up, down or status)`);
    } finally {
      await db.destroy();
    }
  });

program
  .command('worker')
  .description('run the Temporal worker and the BullMQ workers until SIGTERM/SIGINT')
  .addOption(new Option('--temporal-only', 'run only the Temporal worker').conflicts('queuesOnly'))
  .addOption(new Option('--queues-only', 'run only the BullMQ workers'))
  .option('--http-port <port>', 'liveness endpoint port (0 = any free port)')
  .action(async (opts: { temporalOnly?: boolean; queuesOnly?: boolean; httpPort?: string }) => {
    const cfg = config({
      ...(opts.temporalOnly && { runQueueWorkers: false }),
      ...(opts.queuesOnly && { runTemporalWorker: false }),
      ...(opts.httpPort !== undefined && { httpPort: opts.httpPort as unknown as number }),
    });
    // The worker and the demo are loaded when used: every other command starts a second faster without them.
    const { runWorkers } = require('../workers/main') as typeof import('../workers/main');
    const running = await runWorkers(cfg, { handleSignals: true });
    await running.done;
  });

program
  .command('check')
  .description('run the plumbing check workflow through the running workers and print its result')
  .action(async () => {
    const cfg = config();
    const client = new Client({ connection: await reachTemporal(cfg), namespace: cfg.temporalNamespace, dataConverter: dataConverterFor(cfg) });
    try {
      console.log(JSON.stringify(await runPlumbingCheck(client, cfg), null, 2));
    } finally {
      await client.connection.close();
    }
  });

program
  .command('demo')
  .description('bring up the stack, run the workers and a demo flow, print where the Temporal UI is')
  .option('--hold <seconds>', 'keep everything up this long afterwards (default: until Ctrl-C on a terminal, 0 otherwise)')
  .action(async (opts: { hold?: string }) => {
    const { runDemo } = require('./demo') as typeof import('./demo');
    await runDemo({ holdSeconds: opts.hold === undefined ? undefined : Number(opts.hold) });
  });

addDirectoryCommands(program, () => config());
addIdpCommands(program, () => config());
addHealthCommands(program, () => config());
addPresenceCommands(program, () => config());
addConduitCommands(program, () => config());
addStartCommand(program);
addSecretsCommands(program, () => config());

function print(lines: string[], empty: string) {
  console.log(lines.length ? lines.join('\n') : empty);
}

// Refusals and unreachable services say what to do in one line; a stack trace is for bugs.
program.parseAsync(process.argv).catch(reportCliError);
