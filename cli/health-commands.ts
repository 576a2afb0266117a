import type { Command } from 'commander';
import type { Config } from '../lib/config';
import { openCliContext } from './context';
import { describeDriftAttribute, driftLines, driftReport } from '../operations/drift';
import type { Db } from '../db/database';

type ConfigFn = () => Config;

/** `bridge drift`: cloud-side edits to synced attributes, reported and left in place. */
export function addHealthCommands(program: Command, config: ConfigFn): void {
  program
    .command('drift')
    .description('synced users edited in Genesys Cloud since the bridge last wrote them (found by full passes; not overwritten)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = await openCliContext(config());
      try {
        const report = await driftReport(ctx.db);
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else if (!report.users.length) console.log('no drift: every synced user in Genesys Cloud has what the bridge last sent (as of the last full pass)');
        else {
          console.log(`${report.users.length} user${report.users.length > 1 ? 's' : ''} edited in Genesys Cloud; the bridge leaves the edits until the attribute changes in CIC:`);
          console.log(driftLines(report.users).join('\n'));
        }
      } finally {
        await ctx.close();
      }
    });
}

/** The drift lines of one user, for `bridge user <id>`. */
export async function userDriftLines(db: Db, cicId: string): Promise<string[]> {
  const [u] = (await driftReport(db, [cicId])).users;
  return u ? u.attributes.map((a) => `  Drift (edited in Genesys Cloud, left in place): ${describeDriftAttribute(a)}`) : [];
}
