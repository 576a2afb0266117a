import { Option, type Command } from 'commander';
import { readSecret, secretFlagRefusal } from './secret-input';
import { ConfigError, parsePairingOptions, type Config } from '../lib/config';
import { printUserPresence } from './presence-commands';
import { openCliContext, type CliContext } from './context';
import { pair, unpair, UNPAIR_TIMEOUT_MS } from '../operations/pairing';
import {
  describeState,
  dryRunPlan,
  listUserStates,
  requestBackfill,
  syncProgress,
  userDetail,
} from '../operations/directory';
import { renderProgressBar } from './progress';
import { OperatorError, requireSecretKey } from './errors';
import { lastDiscovery } from './discovery';
import { formatStatus, readStatus } from './status-command';
import { formatTraceStep } from './user-trace';
import { ssoStates } from '../db/sso-links';
import { describeSso } from '../operations/sso';
import { userDriftLines } from './health-commands';

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

const userStates = ['synced', 'error', 'not-synced', 'deactivated', 'conflict'];
const secretFlags = {
  clientSecret: { flag: '--client-secret', env: 'BRIDGE_CLIENT_SECRET', prompt: 'OAuth client secret' },
  cicPassword: { flag: '--cic-password', env: 'BRIDGE_CIC_PASSWORD', prompt: 'CIC password' },
};

/** Pairing, sync and per-user status commands. */
export function addDirectoryCommands(program: Command, config: ConfigFn): void {
  program
    .command('pair')
    .description('pair this CIC server with one Genesys Cloud organization and start syncing')
    .requiredOption('--org <shortName>', 'organization short name (DNS rules: letters, digits, dashes)')
    .option('--region <region>', 'region domain (mypurecloud.ie) or AWS region (eu-west-1)')
    .option('--api-url <url>', 'explicit API base URL (simulator or proxy), with --login-url')
    .option('--login-url <url>', 'explicit login base URL')
    .requiredOption('--client-id <id>', 'OAuth client id (client credentials)')
    .addOption(new Option('--client-secret <secret>').hideHelp())
    .option('--client-secret-file <file>', 'file holding the OAuth client secret (or set $BRIDGE_CLIENT_SECRET; asked on a terminal otherwise)')
    .option('--cic-server <url>', 'ICWS base URL, repeat for the switchover peer', collect, [])
    .option('--cic-user <id>', 'the CIC service user', 'PureCloudAdmin')
    .addOption(new Option('--cic-password <password>').hideHelp())
    .option('--cic-password-file <file>', 'file holding its password (or set $BRIDGE_CIC_PASSWORD; asked on a terminal otherwise)')
    .option('--default-country <cc>', 'country for CIC numbers without one', 'US')
    .option('--mass-removal-threshold <share>', 'share of users one run may deactivate', '0.2')
    .option('--reconcile-interval <seconds>', 'full reconciliation interval', '3600')
    .option('--rate-limit <perMinute>', 'Genesys request budget per minute (0 = unlimited)', '300')
    .action(async (o) => {
      if (o.clientSecret !== undefined) throw secretFlagRefusal('pair', secretFlags.clientSecret);
      if (o.cicPassword !== undefined) throw secretFlagRefusal('pair', secretFlags.cicPassword);
      // Checked before anything is opened or asked, so a typo costs nothing and names its flag.
      const options = parsePairingOptions(
        {
          defaultCountry: o.defaultCountry,
          massRemovalThreshold: o.massRemovalThreshold,
          reconcileIntervalSeconds: o.reconcileInterval,
          rateLimitPerMinute: o.rateLimit,
        },
        'flag',
      );
      if (!options.ok) throw new ConfigError(`pair: ${options.message}`);
      const cfg = config();
      requireSecretKey(cfg);
      await withContext(() => cfg, async (ctx) => {
        const secret = await readSecret('pair', { ...secretFlags.clientSecret, fromEnv: ctx.config.pairClientSecret, file: o.clientSecretFile });
        const password = await readSecret('pair', { ...secretFlags.cicPassword, fromEnv: ctx.config.pairCicPassword, file: o.cicPasswordFile });
        const result = await pair(
          {
            ...ctx,
            taskQueue: ctx.config.taskQueue,
            secretKey: ctx.config.secretKey,
            budgetPrefix: `${ctx.config.queuePrefix}:budget`,
          },
          {
            orgShortName: o.org,
            region: o.region,
            apiUrl: o.apiUrl,
            loginUrl: o.loginUrl,
            clientId: o.clientId,
            clientSecret: secret,
            cicServers: o.cicServer,
            cicUserId: o.cicUser,
            cicPassword: password,
            options: options.value,
          },
        );
        console.log(
          `${result.repaired ? 'pairing confirmed' : 'paired'} with ${result.orgShortName} (${result.apiUrl}); the first full sync has started`,
        );
        console.log(
          `follow it with \`bridge status\`, or in the Temporal UI: workflow directory-sync/${result.orgShortName}`,
        );
      });
    });

  program
    .command('unpair')
    .description(
      'end the pairing: stop syncing, wait for the workflows to end, and forget the sync state (Genesys Cloud users are left as they are)',
    )
    .option('--timeout <seconds>', "how long to wait for the pairing's workflows to end", String(UNPAIR_TIMEOUT_MS / 1000))
    .action(async (o: { timeout: string }) => {
      const timeout = Number(o.timeout);
      if (!/^\d+$/.test(o.timeout.trim()) || timeout < 1) throw new ConfigError(`unpair: --timeout must be a whole number of seconds (1 or more), not '${o.timeout}'`);
      await withContext(config, async (ctx) => {
        const r = await unpair(ctx, { timeoutMs: timeout * 1000 });
        if (!r) return console.log('not paired');
        console.log(
          `unpaired from ${r.orgShortName}. Left behind, unchanged: ${r.cloudUsersLeft} Genesys Cloud users created or linked by the bridge (still active, still carrying their CIC externalId, so pairing again with the same organization links them rather than duplicating them).`,
        );
      });
    });

  const sync = program.command('sync').description('directory sync');
  sync
    .command('now')
    .description('run a full sync pass now and show its progress')
    .option('--no-wait', 'return once the signal is sent')
    .action(async (o) => runBackfill(config, { requestedBy: 'bridge sync now' }, o.wait));

  program
    .command('backfill')
    .description('send the backfill signal: a full resync of the directory')
    .option('--purge', 'delete removed users instead of deactivating them')
    .option('--allow-mass-removal', 'confirm a removal that tripped the mass-removal safeguard')
    .option('--no-wait', 'return once the signal is sent')
    .action(async (o) =>
      runBackfill(
        config,
        { requestedBy: 'bridge backfill', purge: !!o.purge, allowMassRemoval: !!o.allowMassRemoval },
        o.wait,
      ),
    );

  program
    .command('status')
    .description('where the directory sync is: current pass, last pass, users by state')
    .option('--json', 'print it as JSON (the progress query, users by state, the watch backlog)')
    .action(async (o: { json?: boolean }) =>
      withContext(config, async (ctx) => {
        const s = await readStatus(ctx, lastDiscovery());
        if (!o.json) return console.log(formatStatus(s).join('\n'));
        const { progress, ...rest } = s;
        console.log(JSON.stringify({ ...progress, ...rest }, null, 2));
      }),
    );

  program
    .command('plan')
    .description(
      'dry run: what a full sync would create, update and deactivate, with attribute diffs; nothing is applied',
    )
    .option('--purge', 'plan deletions instead of deactivations')
    .option('--json', 'print the whole plan as JSON')
    .action(async (o) =>
      withContext(() => requireSecretKey(config()), async (ctx) => {
        const { plan, blockedReason, read } = await dryRunPlan(
          { db: ctx.db, secretKey: ctx.config.secretKey },
          { purge: o.purge },
        );
        if (o.json) return console.log(JSON.stringify({ read, blockedReason, plan }, null, 2));
        console.log(
          `read ${read} CIC users: ${plan.creates.length} to create (or link), ${plan.updates.length} to update, ${plan.reactivations.length} to reactivate, ${plan.deactivations.length} to deactivate, ${plan.deletions.length} to delete, ${plan.unchanged} unchanged`,
        );
        for (const c of plan.creates)
          console.log(`  + ${c.cicId} → ${c.scim.userName} (${c.scim.displayName})`);
        for (const u of [...plan.updates, ...plan.reactivations]) {
          console.log(`  ~ ${u.cicId}${plan.reactivations.includes(u) ? ' (reactivate)' : ''}`);
          for (const ch of u.changes)
            console.log(`      ${ch.attribute}: ${ch.before ?? '∅'} → ${ch.after ?? '∅'}`);
        }
        for (const d of plan.deactivations) console.log(`  - ${d.cicId} (deactivate)`);
        for (const n of plan.notSynced) console.log(`  ! ${n.cicId}: not synced: ${n.reason}`);
        for (const c of plan.conflicts) console.log(`  ! ${c.cicId}: conflict: ${c.reason}`);
        for (const i of plan.invalid) console.log(`  ! ${i.cicId ?? '(record)'}: invalid: ${i.reason}`);
        if (blockedReason) console.log(`\n${blockedReason}`);
      }),
    );

  program
    .command('users')
    .description('every CIC user with its sync state: Synced, Error or Not synced, and why')
    .option('--state <state>', userStates.join(' | '))
    .action(async (o) => {
      if (o.state !== undefined && !userStates.includes(o.state))
        throw new ConfigError(`users: --state must be one of ${userStates.join(', ')}, not '${o.state}'`);
      await withContext(config, async (ctx) => {
        const { counts, users } = await listUserStates(ctx.db, o.state);
        const sso = await ssoStates(ctx.db);
        for (const u of users) {
          console.log(
            `${u.cicId.padEnd(28)} ${describeState(u).padEnd(50)} ${describeSso(u, sso.get(u.cicId)).padEnd(16)} ${u.lastSyncedAt ? `last synchronized ${u.lastSyncedAt.toISOString()}` : ''}`,
          );
        }
        console.log(
          `\n${Object.entries(counts)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}`,
        );
      });
    });

  program
    .command('user')
    .description('one CIC user: state, reason, last synchronized time, and the trace of its last sync')
    .argument('<cicId>')
    .action(async (cicId: string) =>
      withContext(config, async (ctx) => {
        const d = await userDetail(ctx.db, cicId);
        if (!d.link && d.present === undefined)
          throw new OperatorError(`no CIC user ${cicId} has been seen by the bridge (\`bridge users\` lists them)`);
        console.log(`${cicId}: ${d.link ? describeState(d.link) : 'not yet planned'}`);
        if (d.link?.genesysId)
          console.log(`  Genesys Cloud user: ${d.link.genesysId}${d.link.active ? '' : ' (inactive)'}`);
        if (d.link?.lastSyncedAt) console.log(`  Last synchronized: ${d.link.lastSyncedAt.toISOString()}`);
        const proof = (await ssoStates(ctx.db, [cicId])).get(cicId);
        if (d.link && describeSso(d.link, proof))
          console.log(`  ${describeSso(d.link, proof)}${proof ? ` (checked ${proof.checkedAt.toISOString()})` : ''}`);
        for (const p of d.link?.problems ?? []) console.log(`  Problem: ${p}`);
        for (const line of await userDriftLines(ctx.db, cicId)) console.log(line);
        await printUserPresence(ctx.db, cicId);
        if (d.present === false) console.log(`  Removed from CIC at ${d.removedAt?.toISOString()}`);
        for (const s of d.link?.lastTrace ?? []) console.log(`  ${formatTraceStep(s)}`);
        for (const c of d.history)
          console.log(
            `  history: ${c.at.toISOString()} ${c.kind} run ${c.run_id}: ${c.action} ${c.status}${c.error ? ` (${c.error})` : ''}`,
          );
      }),
    );
}

async function runBackfill(config: ConfigFn, req: Parameters<typeof requestBackfill>[1], wait: boolean) {
  await withContext(config, async (ctx) => {
    const workflowId = await requestBackfill({ ...ctx, taskQueue: ctx.config.taskQueue }, req);
    console.log(`backfill signal sent to ${workflowId}`);
    if (!wait) return;
    const before = (await syncProgress(ctx)).lastFullPass?.runId;
    for (;;) {
      const p = await syncProgress(ctx);
      if (p.current)
        process.stderr.write(`\r${renderProgressBar(p.current.applied, p.current.planned, p.current.phase)}`);
      if (p.lastFullPass && p.lastFullPass.runId !== before && !p.fullPending) {
        process.stderr.write('\n');
        console.log(JSON.stringify(p.lastFullPass, null, 2));
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  });
}
