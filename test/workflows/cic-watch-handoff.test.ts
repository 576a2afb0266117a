import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { syncProgress } from '../../operations/directory';
import { createRedis, queueNames } from '../../queues/connection';
import { usersChangedSignal } from '../../workflows/directory-sync-api';
import type { CicEventJob } from '../../queues/cic-events';
import type { Redis } from 'ioredis';

// The bridge reaches Redis through a proxy the test can cut, so only its connections fail; the queue the
// test inspects is read over a connection of its own, straight to Redis.
let h: BridgeHarness | undefined;
let proxy: TcpProxy | undefined;
let inspect: Queue<CicEventJob> | undefined;
let inspectConnection: Redis | undefined;
/** Each step of a teardown or a test gets a deadline, so a hang fails naming the step instead of stalling the suite. */
async function step<T>(what: string, p: Promise<T>, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

afterEach(async () => {
  await step('restoring the Redis proxy', proxy?.restore() ?? Promise.resolve());
  await step('closing the inspecting queue', inspect?.close() ?? Promise.resolve());
  inspectConnection?.disconnect();
  await step('stopping the bridge', h?.stop() ?? Promise.resolve(), 120_000);
  await step('closing the Redis proxy', proxy?.close() ?? Promise.resolve());
  h = undefined;
  proxy = undefined;
  inspect = undefined;
});

async function bridgeBehindProxy(name: string): Promise<BridgeHarness> {
  proxy = await startTcpProxy(process.env.REDIS_URL!);
  h = await startBridge(name, {
    cic: { directory: { count: 30, seed: 21, noEmailShare: 0, duplicateEmailShare: 0 } },
    config: { redisUrl: proxy.url },
  });
  inspectConnection = createRedis(process.env.REDIS_URL!, 'worker');
  inspect = new Queue<CicEventJob>(queueNames.cicEvents, { connection: inspectConnection, prefix: h.config.queuePrefix });
  await h.pair();
  let progress: unknown;
  await eventually(
    'the first full pass',
    async () => {
      const p = await syncProgress({ db: h!.db, temporal: h!.temporal }).catch((err) => ({ err: String(err) }) as any);
      progress = p;
      return p?.lastFullPass?.status === 'completed' && !p.fullPending && p.state === 'waiting';
    },
    120_000,
  ).catch(async (err) => {
    const d = await h!.temporal.workflow.getHandle('directory-sync/demo-org').describe().catch((e) => ({ e: String(e) }) as any);
    throw new Error(`${(err as Error).message}; progress: ${JSON.stringify(progress)}; workflow: ${d.status?.name} ${d.taskQueue} ${d.runId} (suite ${h!.config.taskQueue}) ${d.e ?? ''}`);
  });
  // A change through the watch proves it is subscribed before the test starts cutting things.
  await changeName(h, syncable(h)[0], 'Warm Up');
  await cloudShows(h, { [syncable(h)[0]]: 'Warm Up' });
  return h;
}

const syncable = (b: BridgeHarness) =>
  b.cic.directory
    .list()
    .map((u) => u.configurationId.id)
    .filter((id) => id !== 'PureCloudAdmin');

const changeName = (b: BridgeHarness, id: string, displayName: string) =>
  b.cicAdmin('PATCH', `/__admin/users/${encodeURIComponent(id)}`, { personalInformationProperties: { displayName } });

/** Waits until every user shows its expected display name in the Genesys simulator. */
async function cloudShows(b: BridgeHarness, expected: Record<string, string>, timeoutMs = 20_000): Promise<void> {
  let missing: string[] = [];
  await eventually(
    `cloud users with their new names`,
    async () => {
      const cloud = new Map((await b.cloudUsers()).map((u: any) => [u.externalId, u.displayName]));
      missing = Object.entries(expected)
        .filter(([id, name]) => cloud.get(id) !== name)
        .map(([id, name]) => `${id}=${name} (cloud: ${cloud.get(id)})`);
      return missing.length === 0;
    },
    timeoutMs,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; missing: ${missing.join(', ')}`);
  });
}

const fullPasses = async (b: BridgeHarness) =>
  Number((await b.db.selectFrom('sync_runs').select((eb) => eb.fn.countAll<string>().as('n')).where('kind', '=', 'full').executeTakeFirstOrThrow()).n);

async function watchSession(b: BridgeHarness): Promise<{ sessionId: string; deliveredMessages: number; subscriptions: string[] } | undefined> {
  const sessions: any[] = await b.cicAdmin('GET', '/__admin/sessions');
  return sessions.find((s) => /watch/.test(s.applicationName ?? '') && s.subscriptions.some((k: string) => k.startsWith('configuration/users/')));
}

const jobsSince = async (since: number) =>
  (await inspect!.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized'])).filter((j) => j.timestamp >= since);

test('Redis away for a few seconds while users change: every change reaches the cloud, none is lost', async () => {
  const b = await bridgeBehindProxy('watchblip');
  const fullBefore = await fullPasses(b);
  const changed = syncable(b).slice(1, 7);
  await proxy!.cut();
  const expected: Record<string, string> = {};
  for (const [i, id] of changed.entries()) {
    expected[id] = `During Outage ${i}`;
    await changeName(b, id, expected[id]);
    await new Promise((r) => setTimeout(r, 300));
  }
  // One user changes twice: the later value is the one that must arrive.
  expected[changed[0]] = 'Changed Twice';
  await changeName(b, changed[0], expected[changed[0]]);
  await new Promise((r) => setTimeout(r, 2000));
  await proxy!.restore();
  await cloudShows(b, expected, 30_000);
  assert.equal(await fullPasses(b), fullBefore, 'delivered as changes, not by a reconciliation pass');
  const backlog = await b.db.selectFrom('watch_backlog').selectAll().execute();
  assert.deepEqual(backlog, [], 'a short outage stays in memory');
});

test('Redis away past the durable threshold and the watch cancelled: the next pass still covers the changes', async () => {
  const b = await step('starting the bridge behind the proxy', bridgeBehindProxy('watchdurable'), 200_000);
  const [, early, late, other] = syncable(b);
  await step('cutting Redis', proxy!.cut());
  // `early` waits out the durable threshold (10 s) in memory, then goes to PostgreSQL; `late` is still held
  // in memory when the watch is cancelled, and goes there as the activity ends.
  await step('changing early', changeName(b, early, 'Early In Outage'));
  await eventually(
    'the early change in the backlog',
    async () => (await b.db.selectFrom('watch_backlog').select('cic_id').execute()).some((r) => r.cic_id === early),
    25_000,
  );
  await step('changing late', changeName(b, late, 'Late In Outage'));
  await new Promise((r) => setTimeout(r, 500));
  await step('cancelling the watch', b.temporal.workflow.getHandle('cic-watch/demo-org').cancel());
  // The activity learns of the cancel with its next heartbeat; it closes its ICWS session, then hands over
  // (or records) what it holds within a few seconds.
  await eventually('the watch gone', async () => !(await watchSession(b)), 30_000);
  await new Promise((r) => setTimeout(r, 4000));
  const backlog = (await step('reading the backlog', b.db.selectFrom('watch_backlog').select('cic_id').execute())).map((r) => r.cic_id);
  assert.ok(backlog.includes(early) && backlog.includes(late), `both changes recorded: ${backlog.join(', ')}`);
  await step('restoring Redis', proxy!.restore());
  // No watch runs now. The next pass is a delta pass for some other change (here signalled directly, as the
  // cic-events worker would): it takes the backlog with it.
  await step('changing other', changeName(b, other, 'Other User'));
  await step('signalling the sync', b.temporal.workflow.getHandle('directory-sync/demo-org').signal(usersChangedSignal, { userIds: [other] }));
  await cloudShows(b, { [early]: 'Early In Outage', [late]: 'Late In Outage', [other]: 'Other User' }, 30_000);
  // What the pass took is cleared (an entry noted again meanwhile, by the watch still ending, stays for later).
  const left = (await b.db.selectFrom('watch_backlog').select('cic_id').execute()).map((r) => r.cic_id);
  assert.deepEqual(left.filter((id) => id === early || id === late), [], 'the pass cleared the backlog it covered');
});

test('a reconnect with nothing changed starts no pass, nor does an unmapped change; a staged user that differs is the only news', async () => {
  const b = await bridgeBehindProxy('watchsnapshot');
  await eventually('the sync idle', async () => (await syncProgress({ db: b.db, temporal: b.temporal })).state === 'waiting');
  const reconnect = async () => {
    const before = await watchSession(b);
    assert.ok(before, 'a watch session');
    await b.cicAdmin('DELETE', `/__admin/sessions/${before.sessionId}`);
    // The new session's first message is the snapshot; give the watch a moment to compare it.
    await eventually('a new watch session with its snapshot delivered', async () => {
      const s = await watchSession(b);
      return s && s.sessionId !== before.sessionId && s.deliveredMessages > 0;
    });
    await new Promise((r) => setTimeout(r, 1500));
  };

  const passesBefore = (await syncProgress({ db: b.db, temporal: b.temporal })).passes;
  const since = Date.now();
  await reconnect();
  assert.deepEqual(
    (await jobsSince(since)).map((j) => j.data),
    [],
    'an unchanged snapshot hands nothing to cic-events (the hash of a watch record is the staged one)',
  );
  const progress = await syncProgress({ db: b.db, temporal: b.temporal });
  assert.equal(progress.passes, passesBefore, 'no pass ran');
  assert.equal(progress.fullPending, false);

  // The watch subscribes only to what the mapping reads: a change to anything else is not news either.
  const [, , unmapped, marker] = syncable(b);
  const since3 = Date.now();
  await b.cicAdmin('PATCH', `/__admin/users/${encodeURIComponent(unmapped)}`, {
    personalInformationProperties: { title: 'Chief Tester', departmentName: 'Quality' },
    extension: '4242',
  });
  // A mapped change after it: once its id is handed over, the watch has seen everything before it.
  await changeName(b, marker, 'Marker');
  const handed = await eventually('the marker handed over', async () => {
    const jobs = (await jobsSince(since3)).map((j) => j.data);
    return jobs.some((j) => j.kind === 'users-changed' && j.userIds.includes(marker)) && jobs;
  });
  assert.deepEqual(handed, [{ kind: 'users-changed', org: 'demo-org', userIds: [marker] }], 'an unmapped change hands nothing over');
  await cloudShows(b, { [marker]: 'Marker' });
  await eventually('the sync idle', async () => (await syncProgress({ db: b.db, temporal: b.temporal })).state === 'waiting');

  // The same path does see a difference: one staged hash made stale stands for a change missed while away.
  const stale = syncable(b)[3];
  await sql`UPDATE cic_users SET content_hash = 'stale' WHERE cic_id = ${stale}`.execute(b.db);
  const since2 = Date.now();
  await reconnect();
  const jobs = (await jobsSince(since2)).map((j) => j.data);
  assert.deepEqual(jobs, [{ kind: 'users-changed', org: 'demo-org', userIds: [stale] }]);
});
