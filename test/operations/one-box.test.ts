import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client, Connection } from '@temporalio/client';
import { startGenesysSimulator, type GenesysSimulator } from '../../simulators/genesys';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { processAlive, readStateFile, stateFilePath, type BridgeState } from '../../stack/state-file';
import { adminCall, eventually } from '../support/bridge-harness';

/**
 * `npm start` as an operator runs it: a real child process with its own PostgreSQL, Redis and Temporal kept
 * in a temporary BRIDGE_DATA_DIR, the simulators as the far sides, and the CLI in "another shell" finding it
 * through the state file alone (no DATABASE_URL, REDIS_URL or TEMPORAL_ADDRESS in its environment).
 */
const root = join(__dirname, '..', '..');
const bridgeJs = join(root, 'bin', 'bridge.js');
const dataDir = mkdtempSync(join(tmpdir(), 'one-box-'));
const secretKey = randomBytes(24).toString('hex');
// The test's own services (npm test's) stay out of the bridge's and the CLI's environment.
const { DATABASE_URL: testDatabaseUrl, REDIS_URL: testRedisUrl, TEMPORAL_ADDRESS: _t, TEMPORAL_UI_URL: _u, ...inherited } = process.env;
const operatorEnv: NodeJS.ProcessEnv = { ...inherited, BRIDGE_DATA_DIR: dataDir, BRIDGE_HTTP_PORT: '0', LOG_LEVEL: 'warn' };

let genesys: GenesysSimulator;
let cic: CicSimulatorPair;
const started: ChildProcess[] = [];

before(async () => {
  genesys = await startGenesysSimulator({ rateLimitPerMinute: 0 });
  // The demo's directory: betty.stewart shares her email with cyoung (a conflict), some have no email.
  cic = await startCicSimulatorPair({ directory: { count: 300, seed: 2026 } });
});

after(async () => {
  for (const child of started) if (child.exitCode === null && child.pid) killGroup(child.pid, 'SIGKILL');
  await cic?.close();
  await genesys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `bridge <args>` in another shell: async, since the simulators it may talk to live in this process. */
function bridge(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bridgeJs, ...args], { cwd: root, env: { ...operatorEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One line on stderr, exactly `expected` (a string or a pattern), no stack trace, the expected exit code. */
function assertOneLine(r: CliResult, code: number, expected: string | RegExp, what: string) {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: no stack trace`);
  if (typeof expected === 'string') assert.equal(lines[0], expected, what);
  else assert.match(lines[0], expected, what);
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** `npm start` in its own process group, as a terminal runs it; its output is collected. */
function npmStart(): { child: ChildProcess; output: () => string; closed: Promise<void> } {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    // info: its 'stopped' line is what says the shutdown ran to its end.
    env: { ...operatorEnv, BRIDGE_SECRET_KEY: secretKey, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // The pipes close when the last process holding them (the bridge itself, after npm) has exited.
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, output: () => output, closed };
}

async function runningState(run: ReturnType<typeof npmStart>): Promise<BridgeState> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited ${run.child.exitCode}:\n${run.output()}`);
    const s = readStateFile(stateFilePath(dataDir, 'service'));
    if (s && processAlive(s.pid)) return s;
    if (Date.now() > deadline) throw new Error(`npm start wrote no state file in 180 s:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function statusJson(): Promise<any> {
  // Workflow state is encrypted (payload codec): the operator's shell has the key, as it does for `pair`.
  const r = await bridge(['status', '--json'], { BRIDGE_SECRET_KEY: secretKey });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const scimCreates = async () =>
  (await adminCall(genesys.urls.admin, 'GET', '/__admin/requests/counts')).counts
    .filter((c: any) => c.method === 'POST' && /scim\/v2\/users$/i.test(c.template))
    .reduce((n: number, c: any) => n + c.count, 0);

const closedPort = () => {
  // A port nothing listens on: bound, noted, released.
  const r = spawnSync(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' });
  return Number(r.stdout.trim());
};

type Mistake = { what: string; args: string[]; env?: NodeJS.ProcessEnv; code: number; expected: string | RegExp };

/** The commands are independent: run side by side (each is a Node start-up), then checked one by one. */
async function assertMistakes(mistakes: Mistake[]) {
  const results = await Promise.all(mistakes.map((m) => bridge(m.args, m.env)));
  mistakes.forEach((m, i) => assertOneLine(results[i], m.code, m.expected, m.what));
}

const noBridgeLine = `bridge: no running bridge found (no state file in ${dataDir}): start one with \`npm start\` or \`npm run demo\`, set BRIDGE_DATA_DIR to the data directory of the one that runs, or set DATABASE_URL, REDIS_URL, TEMPORAL_ADDRESS`;

test('operator mistakes without a running bridge: one line each, exit 2 for usage, 1 for what is not there', async () => {
  // Each service away in turn, the others there (npm test's): named, with its address and what to do.
  const [pgPort, redisPort, temporalPort] = [closedPort(), closedPort(), closedPort()];
  const live = { DATABASE_URL: testDatabaseUrl, REDIS_URL: testRedisUrl, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS };
  // A state file whose process is alive (this test) but whose services are gone, and one whose process died.
  const [aliveDir, deadDir] = [mkdtempSync(join(tmpdir(), 'one-box-alive-')), mkdtempSync(join(tmpdir(), 'one-box-dead-'))];
  const state = (pid: number, dir: string): BridgeState => ({
    kind: 'service',
    pid,
    startedAt: new Date().toISOString(),
    dataDir: dir,
    env: {
      DATABASE_URL: `postgres://bridge@127.0.0.1:${pgPort}/bridge`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      DATABASE_SCHEMA: 'public',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'cloud-bridge',
      BRIDGE_QUEUE_PREFIX: 'bridge',
    },
    started: ['postgres', 'redis', 'temporal'],
    credentialsRemoved: [],
  });
  const dead = spawnSync('true').pid!;
  writeFileSync(stateFilePath(aliveDir, 'service'), JSON.stringify(state(process.pid, aliveDir)));
  writeFileSync(stateFilePath(deadDir, 'service'), JSON.stringify(state(dead, deadDir)));
  try {
    await assertMistakes([
      { what: 'status with nothing running', args: ['status'], code: 1, expected: noBridgeLine },
      { what: 'unknown option', args: ['status', '--bogus'], code: 2, expected: "bridge: unknown option '--bogus' (see `bridge --help`)" },
      { what: 'unknown command', args: ['frobnicate'], code: 2, expected: "bridge: unknown command 'frobnicate' (see `bridge --help`)" },
      {
        what: 'bad --state',
        args: ['users', '--state', 'broken'],
        code: 2,
        expected: "bridge: users: --state must be one of synced, error, not-synced, deactivated, conflict, not 'broken'",
      },
      {
        what: 'start without the key',
        args: ['start'],
        code: 2,
        expected: 'bridge: BRIDGE_SECRET_KEY is not set: the bridge needs it (32 or more characters) to seal and open the stored secrets; keep it outside the data directory',
      },
      {
        what: 'a short key',
        args: ['start'],
        env: { BRIDGE_SECRET_KEY: 'short' },
        code: 2,
        expected: 'bridge: invalid configuration: BRIDGE_SECRET_KEY (secretKey): must be at least 32 characters',
      },
      {
        what: 'PostgreSQL away (and its password not repeated)',
        args: ['status'],
        env: { ...live, DATABASE_URL: `postgres://bridge:hunter2@127.0.0.1:${pgPort}/bridge` },
        code: 1,
        expected: `bridge: cannot reach PostgreSQL at 127.0.0.1:${pgPort} (connection refused): start PostgreSQL there, or set DATABASE_URL to where it runs`,
      },
      {
        what: 'Redis away',
        args: ['users'],
        env: { ...live, REDIS_URL: `redis://127.0.0.1:${redisPort}` },
        code: 1,
        expected: `bridge: cannot reach Redis at 127.0.0.1:${redisPort} (connection refused): start Redis there, or set REDIS_URL to where it runs`,
      },
      {
        what: 'Temporal away',
        args: ['user', 'betty.stewart'],
        env: { ...live, TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` },
        code: 1,
        expected: new RegExp(`^bridge: cannot reach Temporal at 127\\.0\\.0\\.1:${temporalPort} \\(.+\\): start the Temporal server there, or set TEMPORAL_ADDRESS to where it runs$`),
      },
      {
        what: 'migrate with PostgreSQL away',
        args: ['migrate'],
        env: { ...live, DATABASE_URL: `postgres://bridge@127.0.0.1:${pgPort}/bridge` },
        code: 1,
        expected: `bridge: cannot reach PostgreSQL at 127.0.0.1:${pgPort} (connection refused): start PostgreSQL there, or set DATABASE_URL to where it runs`,
      },
      {
        what: 'state file of a bridge whose services are gone',
        args: ['status'],
        env: { BRIDGE_DATA_DIR: aliveDir },
        code: 1,
        expected: `bridge: cannot reach PostgreSQL at 127.0.0.1:${pgPort} (connection refused): is the bridge running? start it with \`npm start\` (its state file ${stateFilePath(aliveDir, 'service')} names this address), or set DATABASE_URL`,
      },
      {
        what: 'state file of a bridge that died',
        args: ['users', '--state', 'error'],
        env: { BRIDGE_DATA_DIR: deadDir },
        code: 1,
        expected: `bridge: the bridge recorded in ${stateFilePath(deadDir, 'service')} (pid ${dead}) is not running: start it with \`npm start\`, or set DATABASE_URL, REDIS_URL, TEMPORAL_ADDRESS`,
      },
    ]);
    assert.ok(!existsSync(join(dataDir, 'pg')), 'start was refused before any service started');
  } finally {
    rmSync(aliveDir, { recursive: true, force: true });
    rmSync(deadDir, { recursive: true, force: true });
  }
});

test('npm start keeps its data: pair and sync, SIGTERM stops everything cleanly, a second start resumes without re-creating anyone', async () => {
  const first = npmStart();
  const state = await runningState(first);
  assert.deepEqual([...state.started].sort(), ['postgres', 'redis', 'temporal'], 'it started its own services');
  assert.ok(state.env.DATABASE_URL.startsWith('postgres://bridge@127.0.0.1:'), state.env.DATABASE_URL);
  assert.doesNotMatch(JSON.stringify(state), new RegExp(secretKey), 'the key is not in the state file');

  // Commands from another shell find it through the state file alone.
  assert.match((await bridge(['status'])).stdout, /not paired: pair it with `bridge pair/);
  assertOneLine(
    await bridge(['pair', '--org', 'demo-org', '--api-url', genesys.urls.api, '--login-url', genesys.urls.login, '--client-id', 'demo-client', '--cic-server', cic.urls.primary]),
    2,
    'bridge: BRIDGE_SECRET_KEY is not set: set it to the key the bridge runs with (32 or more characters; it seals the stored secrets)',
    'pair without the key',
  );
  const paired = await bridge(
    ['pair', '--org', 'demo-org', '--api-url', genesys.urls.api, '--login-url', genesys.urls.login, '--client-id', 'demo-client', '--cic-server', cic.urls.primary, '--cic-server', cic.urls.backup, '--rate-limit', '0'],
    { BRIDGE_SECRET_KEY: secretKey, BRIDGE_CLIENT_SECRET: 'demo-secret', BRIDGE_CIC_PASSWORD: 'admin-pass' },
  );
  assert.equal(paired.code, 0, paired.stderr);
  assert.match(paired.stdout, /^paired with demo-org/);

  const synced = await eventually('the initial full pass', async () => {
    const s = await statusJson();
    return s.lastFullPass && !s.fullPending && !s.current ? s : undefined;
  }, 120_000);
  assert.equal(synced.lastFullPass.status, 'completed');
  const createdBefore = await scimCreates();
  assert.ok(createdBefore >= 270, `the first start created the users (${createdBefore} POST /Users)`);
  assert.equal(synced.users.synced, createdBefore, 'every created user is synced');

  const summary = (await bridge(['status'], { BRIDGE_SECRET_KEY: secretKey })).stdout;
  assert.match(summary, /^paired with demo-org \(/m);
  assert.match(summary, /^ {2}last full pass: full pass completed at .* read 300/m);
  assert.match(summary, /^users: 300 \(/m);
  assert.match(summary, /`bridge users --state error`/);

  // Item 7: every step of betty.stewart's trace has its time.
  const betty = await bridge(['user', 'betty.stewart'], { BRIDGE_SECRET_KEY: secretKey });
  assert.equal(betty.code, 0, betty.stderr);
  const traceLines = betty.stdout.split('\n').filter((l) => /^ {2}\S+ {2}(read|map|match|diff|action)\b/.test(l));
  assert.ok(traceLines.length >= 1, betty.stdout);
  for (const line of traceLines) assert.match(line, /^ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}/, line);
  assert.doesNotMatch(betty.stdout, /undefined/);
  assertOneLine(await bridge(['user', 'nobody.here'], { BRIDGE_SECRET_KEY: secretKey }), 1, 'bridge: no CIC user nobody.here has been seen by the bridge (`bridge users` lists them)', 'unknown user');

  // Something in Redis and the workflow's identity, to find again after the restart.
  const sentinel = randomBytes(8).toString('hex');
  const redis = new Redis(state.env.REDIS_URL);
  await redis.set('one-box-test:sentinel', sentinel);
  redis.disconnect();
  const conn = await Connection.connect({ address: state.env.TEMPORAL_ADDRESS });
  const syncBefore = await new Client({ connection: conn }).workflow.getHandle('directory-sync/demo-org').describe();
  await conn.close();

  // SIGTERM to its process group, as a terminal's Ctrl-C or a supervisor does: the bridge stops its workers,
  // then its services, and leaves nothing running.
  killGroup(first.child.pid!, 'SIGTERM');
  await Promise.race([first.closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`not stopped in 60 s:\n${first.output()}`)), 60_000))]);
  await eventually('the bridge process to be gone', async () => !processAlive(state.pid), 10_000);
  assert.match(first.output(), /"subsystem":"one-box".*"msg":"stopped"/, first.output());
  assert.doesNotMatch(first.output(), /"level":(50|60)/, `no error logged while stopping:\n${first.output()}`);
  for (const pid of Object.values(state.servicePids ?? {})) assert.ok(!processAlive(pid), `service pid ${pid} stopped`);
  for (const port of [state.ports?.postgres, state.ports?.redis, state.ports?.temporal]) assert.equal(await portOpen(port!), false, `port ${port} closed`);
  assert.ok(!existsSync(stateFilePath(dataDir, 'service')), 'the state file went with it');
  assertOneLine(await bridge(['status']), 1, noBridgeLine, 'status once stopped');

  const secondStartedAt = Date.now();
  const second = npmStart();
  const state2 = await runningState(second);
  assert.notEqual(state2.pid, state.pid);
  const resumed = await statusJson();
  assert.equal(resumed.paired, true, 'the pairing is still there');
  assert.equal(resumed.lastFullPass?.runId, synced.lastFullPass.runId, 'the last full pass is the one before the restart');
  assert.deepEqual(resumed.users, synced.users, 'users by state as they were');
  const r2 = new Redis(state2.env.REDIS_URL);
  assert.equal(await r2.get('one-box-test:sentinel'), sentinel, 'Redis kept its data');
  r2.disconnect();
  const conn2 = await Connection.connect({ address: state2.env.TEMPORAL_ADDRESS });
  const syncAfter = await new Client({ connection: conn2 }).workflow.getHandle('directory-sync/demo-org').describe();
  await conn2.close();
  assert.equal(syncAfter.runId, syncBefore.runId, 'the same run of the sync workflow, its history kept');
  assert.equal(syncAfter.status.name, 'RUNNING');

  // The watch comes back and a CIC change still arrives, without a single create.
  const name = `Renamed After Restart ${sentinel}`;
  const target = 'AnnaGarcia';
  await eventually('the watch to hold a CIC session again', async () =>
    (await adminCall(cic.urls.admin, 'GET', '/__admin/sessions')).some(
      (s: any) => /watch/i.test(s.applicationName ?? '') && Date.parse(s.createdAt) > secondStartedAt,
    ),
  60_000);
  cic.directory.change(target, { personalInformationProperties: { displayName: name } });
  await eventually('the change in the cloud', async () => [...genesys.state.directory.users.values()].some((u) => u.doc.externalId === target && u.doc.displayName === name), 60_000);
  assert.equal(await scimCreates(), createdBefore, 'no POST /Users after the restart');

  killGroup(second.child.pid!, 'SIGTERM');
  await second.closed;
  assert.match(second.output(), /"subsystem":"one-box".*"msg":"stopped"/);
});
