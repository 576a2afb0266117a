import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { configureLogging } from '../lib/logger';
import { envWithoutSecrets } from '../lib/child-env';
import { seedUser, startGenesysSimulator, type GenesysSimulator } from '../simulators/genesys';

/**
 * Simulator benchmarks: SCIM throughput of the Genesys Cloud simulator (rate limit off, keep-alive, a
 * mixed GET-by-id / filter-by-userName / POST / PATCH load from a child process, so the load generator
 * neither shares the server's event loop nor counts in its CPU time), and the time the CIC simulator
 * takes to generate 100,000 users.
 *
 * Args: --duration=<s> (5) --concurrency=<n> (48) --users=<n> (2000) --skip-cic
 */

const LOAD_GENERATOR = String.raw`
const http = require('node:http');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => main(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
function main({ api, token, ids, userNames, durationMs, concurrency }) {
const url = new URL(api);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const base = '/api/v2/scim/v2/users';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
let created = 0;
function call(method, path, body) {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = { authorization: 'Bearer ' + token, accept: 'application/scim+json' };
    if (data !== undefined) { headers['content-type'] = 'application/scim+json'; headers['content-length'] = Buffer.byteLength(data); }
    const started = performance.now();
    const req = http.request({ agent, host: url.hostname, port: url.port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    if (data !== undefined) req.write(data);
    req.end();
  });
}
const pick = (a) => a[Math.floor(Math.random() * a.length)];
function nextOp(lane) {
  const r = Math.random();
  if (r < 0.4) return ['get', 'GET', base + '/' + pick(ids)];
  if (r < 0.7) return ['filter', 'GET', base + '?filter=' + encodeURIComponent('userName eq "' + pick(userNames) + '"')];
  if (r < 0.85) {
    const n = lane + '-' + (created++);
    return ['post', 'POST', base, { schemas: [USER], userName: 'bench-' + n + '@example.com', displayName: 'Bench ' + n,
      phoneNumbers: [{ type: 'work', value: '+1555' + String(1000000 + created).slice(-7) }] }];
  }
  return ['patch', 'PATCH', base + '/' + pick(ids), { schemas: [PATCH_OP], Operations: [
    { op: 'replace', path: 'displayName', value: 'Patched ' + Math.random().toString(36).slice(2, 8) },
    { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1555' + String(Math.floor(Math.random() * 1e7)).padStart(7, '0') } ] }];
}
(async () => {
  const end = performance.now() + durationMs;
  const latencies = [];
  const statuses = {};
  const byOp = {};
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, lane) => {
    while (performance.now() < end) {
      const [name, method, path, body] = nextOp(lane);
      const r = await call(method, path, body);
      latencies.push(r.ms);
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      byOp[name] = (byOp[name] || 0) + 1;
    }
  }));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 100) / 100;
  process.stdout.write(JSON.stringify({ completed: latencies.length, elapsedMs, statuses, byOp, p50: q(0.5), p95: q(0.95), p99: q(0.99) }));
})();
}
`;

function arg(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
}

function seedDirectory(sim: GenesysSimulator, count: number): { ids: string[]; userNames: string[] } {
  const ids: string[] = [];
  const userNames: string[] = [];
  for (let i = 0; i < count; i++) {
    const userName = `seed.user${i}@example.com`;
    const u = seedUser(
      sim.state,
      {
        userName,
        displayName: `Seed User ${i}`,
        externalId: `cic-${i}`,
        phoneNumbers: [{ type: 'work', value: `+1555${String(i).padStart(7, '0')}` }],
      },
      sim.urls.api,
    );
    ids.push(u.id as string);
    userNames.push(userName);
  }
  return { ids, userNames };
}

/** Runs the load generator in its own process so the simulator's CPU time can be measured on its own. */
function runLoad(data: Record<string, unknown>): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD_GENERATOR], { stdio: ['pipe', 'pipe', 'inherit'], env: envWithoutSecrets() });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out));
    });
    child.stdin.end(JSON.stringify(data));
  });
}

/** Time to generate the CIC directory, or null while the CIC simulator does not provide generateDirectory. */
async function cicSeedMs(): Promise<{ ms: number | null; users: number | null }> {
  let generate: ((o: { count: number; seed: number }) => unknown) | undefined;
  try {
    generate = require(join(__dirname, '../simulators/cic/directory')).generateDirectory;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
  }
  if (typeof generate !== 'function') return { ms: null, users: null };
  const started = performance.now();
  const result = await generate({ count: 100_000, seed: 42 });
  const ms = Math.round(performance.now() - started);
  return { ms, users: Array.isArray(result) ? result.length : null };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const durationMs = arg(args, 'duration', 5) * 1000;
  const concurrency = arg(args, 'concurrency', 48);
  const users = arg(args, 'users', 2000);
  const sim = await startGenesysSimulator({ rateLimitPerMinute: 0 });
  let load: Record<string, any>;
  try {
    const { ids, userNames } = seedDirectory(sim, users);
    const token = sim.state.issueToken('demo-client').token;
    const cpu = process.cpuUsage();
    load = await runLoad({ api: sim.urls.api, token, ids, userNames, durationMs, concurrency });
    const used = process.cpuUsage(cpu);
    load.serverCpuMs = (used.user + used.system) / 1000;
  } finally {
    await sim.close();
  }
  const ok = Object.entries(load.statuses as Record<string, number>)
    .filter(([s]) => s.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0);
  const cic = args.includes('--skip-cic') ? { ms: null, users: null } : await cicSeedMs();
  return {
    scim_requests_per_second: Math.round((load.completed / load.elapsedMs) * 1000),
    scim_requests: load.completed,
    scim_ok_share: Math.round((ok / Math.max(1, load.completed)) * 1000) / 1000,
    scim_statuses: load.statuses,
    scim_ops: load.byOp,
    scim_latency_ms: { p50: load.p50, p95: load.p95, p99: load.p99 },
    // CPU the simulator spent per request (user + system): its own cost, which other load on the machine
    // distorts far less than requests per second; 1e6 / this is its ceiling on one core.
    scim_server_cpu_us_per_request: Math.round((load.serverCpuMs * 1000) / Math.max(1, load.completed)),
    scim_concurrency: concurrency,
    scim_duration_s: Math.round(load.elapsedMs) / 1000,
    scim_seeded_users: users,
    cic_seed_100k_ms: cic.ms,
    cic_seed_100k_users: cic.users,
  };
}

if (require.main === module) {
  configureLogging({ level: 'warn' });
  run(process.argv.slice(2))
    .then((result) => {
      console.log(JSON.stringify(result));
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
