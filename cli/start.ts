import type { Command } from 'commander';

/** `bridge start` (`npm start`): the whole bridge on one machine, data kept in BRIDGE_DATA_DIR. */
export function addStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run the bridge as a service: PostgreSQL, Redis and Temporal with their data kept in BRIDGE_DATA_DIR (unless DATABASE_URL, REDIS_URL, TEMPORAL_ADDRESS name yours), migrations, the workers and the HTTP server, until SIGTERM/SIGINT',
    )
    .action(async () => {
      // Loaded here: the worker and the stack are heavy, and every other command starts faster without them.
      const { runOneBox } = require('../workers/one-box') as typeof import('../workers/one-box');
      process.exit(await runOneBox(process.env));
    });
}
