import { startStack } from '../stack';
import { loadConfig } from '../lib/config';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { runWorkers } from '../workers/main';
import { connectTemporalClient, workflowUiLink } from '../lib/temporal-client';
import { runPlumbingCheck } from './plumbing';

/**
 * The README's demo: starts whatever services the environment does not name, migrates, runs the workers
 * in this process, runs a flow through them, and prints where to look in the Temporal UI.
 */
export async function runDemo(opts: { holdSeconds?: number }): Promise<void> {
  const say = (m: string) => process.stdout.write(`${m}\n`);
  say('» starting PostgreSQL, Redis and Temporal (the first run builds the Temporal CLI: a few minutes)');
  const stack = await startStack();
  try {
    const config = loadConfig({ ...process.env, ...stack.env }, { httpPort: 0, logLevel: 'warn' });
    const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 1 });
    await migrateToLatest(db, config.databaseSchema);
    await db.destroy();
    const workers = await runWorkers(config);
    const client = await connectTemporalClient(config);
    try {
      say('» running the plumbing check: Temporal workflow → PostgreSQL row → BullMQ job → queue worker');
      const { workflowId, runId, result } = await runPlumbingCheck(client, config);
      say(`  check ${result.checkId}: job ${result.jobId} echoed at ${result.echoedAt} by ${result.echoedBy}`);
      const ui = stack.temporalUiUrl ?? process.env.TEMPORAL_UI_URL;
      if (ui) {
        say(`» Temporal UI: ${ui}`);
        say(`  this run:    ${workflowUiLink(ui, config.temporalNamespace, workflowId, runId)}`);
      }
      const hold = opts.holdSeconds ?? (process.stdout.isTTY ? Infinity : 0);
      if (hold > 0) {
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
      await client.connection.close();
      await workers.stop();
    }
  } finally {
    await stack.stop();
    say('» stopped');
  }
}
