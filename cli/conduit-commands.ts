import type { Command } from 'commander';
import type { Config } from '../lib/config';
import { openCliContext, type CliContext } from './context';
import { conduitStatus, disableConduit, enableConduit, listDeadLetters, requestConduitBackfill } from '../operations/conduit';

type ConfigFn = () => Config;

async function withContext<T>(config: ConfigFn, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await openCliContext(config());
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** `bridge conduit enable|disable|status|dead-letters|backfill`. */
export function addConduitCommands(program: Command, config: ConfigFn): void {
  const conduit = program.command('conduit').description('the Conduit: CIC interaction events exported to Genesys Cloud');
  conduit
    .command('enable')
    .description('switch the Conduit on (refused without a pairing)')
    .option('--workgroup <name>', 'a workgroup queue to watch besides every user queue (repeat; replaces the stored list)', collect, [])
    .action(async (o: { workgroup: string[] }) => {
      await withContext(config, async (ctx) => {
        const r = await enableConduit({ ...ctx, taskQueue: ctx.config.taskQueue }, o.workgroup.length ? { workgroups: o.workgroup } : {});
        console.log(`the Conduit is on for ${r.orgShortName}${r.workgroups.length ? ` (workgroups: ${r.workgroups.join(', ')})` : ''}; follow it with \`bridge conduit status\` or workflow conduit-export/${r.orgShortName}`);
      });
    });
  conduit
    .command('disable')
    .description('switch the Conduit off; what was captured is kept')
    .action(async () => {
      await withContext(config, async (ctx) => {
        const r = await disableConduit(ctx);
        console.log(`the Conduit is off for ${r.orgShortName}: capture stops and the export ends after its current batch`);
      });
    });
  conduit
    .command('status')
    .description('enabled, backlog, lag, events exported per minute, dead letters')
    .option('--json', 'print everything as JSON')
    .action(async (o: { json?: boolean }) => {
      await withContext(config, async (ctx) => {
        const s = await conduitStatus(ctx);
        if (o.json) return console.log(JSON.stringify(s, null, 2));
        if (!s.paired) return console.log('not paired: the Conduit needs a pairing');
        console.log(`Conduit for ${s.orgShortName}: ${s.enabled ? 'on' : 'off'}${s.workgroups.length ? ` (workgroups: ${s.workgroups.join(', ')})` : ''}`);
        console.log(`  backlog: ${s.backlog} events, lag ${Math.round(s.lagMs / 1000)} s, cursor at ${s.cursor}`);
        console.log(`  exported in the last minute: ${s.exportedLastMinute} events in ${s.batchesLastMinute} batches`);
        if (s.lastBatch) {
          const b = s.lastBatch;
          console.log(`  last batch: ${b.id} (${b.kind}) ${b.events} events, ${b.bytes} bytes, ${b.status} at ${b.ackedAt}: ${b.results ? `${b.results.created} created, ${b.results.duplicates} duplicate, ${b.results.rejected} rejected` : (b.failure ?? '')}`);
        }
        if (s.workflow) console.log(`  workflow: ${s.workflow.state}, ${s.workflow.backfillsPending} backfills queued${s.workflow.failure ? `, last round failed: ${s.workflow.failure}` : ''}`);
        else if (s.enabled) console.log('  workflow: not running (`bridge conduit enable` starts it)');
        console.log(`  dead letters: ${s.deadLetters.total}`);
        for (const d of s.deadLetters.recent) console.log(`    ${d.eventId} (${d.eventType ?? '?'} of ${d.interactionId ?? '?'}): ${d.reason}`);
      });
    });
  conduit
    .command('dead-letters')
    .description('events Genesys Cloud refused, with the reason')
    .option('--limit <n>', 'how many, newest first', '100')
    .option('--json', 'print as JSON')
    .action(async (o: { limit: string; json?: boolean }) => {
      await withContext(config, async (ctx) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a whole number ≥ 1, not '${o.limit}'`);
        const r = await listDeadLetters(ctx.db, limit);
        if (o.json) return console.log(JSON.stringify(r, null, 2));
        console.log(`${r.total} dead letters${r.total > r.letters.length ? ` (newest ${r.letters.length})` : ''}`);
        for (const d of r.letters) console.log(`${d.at}  ${d.eventId}  ${d.eventType ?? '?'} of ${d.interactionId ?? '?'} at ${d.occurredAt ?? '?'}: ${d.reason}`);
      });
    });
  conduit
    .command('backfill')
    .description('re-export the events that occurred in a time range (same event ids: nothing is doubled)')
    .requiredOption('--from <iso>', 'start of the range (ISO-8601)')
    .requiredOption('--to <iso>', 'end of the range (ISO-8601, exclusive)')
    .action(async (o: { from: string; to: string }) => {
      await withContext(config, async (ctx) => {
        const id = await requestConduitBackfill({ ...ctx, taskQueue: ctx.config.taskQueue }, { from: o.from, to: o.to, requestedBy: 'cli' });
        console.log(`backfill signal sent to ${id}; follow it with \`bridge conduit status\``);
      });
    });
}
