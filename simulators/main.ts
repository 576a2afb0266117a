/**
 * `npm run sim [-- flags]`: starts the Genesys Cloud simulator and a CIC switchover pair with a seeded
 * directory, and prints their URLs as one JSON object on the first line of stdout.
 *
 * Flags: --genesys-port N (api; login and admin take the next two) --cic-port N (primary; backup and admin
 * take the next two) --users N (default 200) --seed N (default 1) --rate-limit N (requests/min per token,
 * 0 = off; default 300) --org NAME (default demo-org)
 */
import { configureLogging } from '../lib/logger';
import { startGenesysSimulator } from './genesys';
import { startCicSimulatorPair } from './cic';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

function intFlag(name: string, fallback: number): number {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
}

async function main() {
  configureLogging({ level: process.env.SIM_LOG_LEVEL ?? 'warn' });
  const cicPort = intFlag('cic-port', 0);
  const genesys = await startGenesysSimulator({
    port: intFlag('genesys-port', 0),
    rateLimitPerMinute: intFlag('rate-limit', 300),
    orgShortName: flag('org', 'demo-org'),
  });
  const cic = await startCicSimulatorPair({
    primaryPort: cicPort,
    backupPort: cicPort ? cicPort + 1 : 0,
    adminPort: cicPort ? cicPort + 2 : 0,
    directory: { count: intFlag('users', 200), seed: intFlag('seed', 1) },
  });
  process.stdout.write(
    `${JSON.stringify({ genesys: genesys.urls, cic: { primary: cic.urls.primary, backup: cic.urls.backup, admin: cic.urls.admin } })}\n`,
  );
  process.stderr.write('simulators running: OAuth client demo-client / demo-secret, CIC PureCloudAdmin / admin-pass; Ctrl-C stops\n');
  const stop = async () => {
    await Promise.all([genesys.close(), cic.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
