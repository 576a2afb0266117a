import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { allMatch, pairAndSettle, setStatus } from '../support/presence';
import { statusCatalog } from '../../simulators/cic';
import { spawnWorkerProcess, stopWorkerProcess } from '../../workers/spawn';

let h: BridgeHarness | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child) await stopWorkerProcess(child, 5_000);
  child = undefined;
  await h?.stop();
  h = undefined;
});
after(() => undefined);

const selectable = statusCatalog.filter((s) => s.isSelectableStatus).map((s) => s.statusId);

/**
 * `changes` status changes over about `ms`, on random linked users (a few of them flapping), with a random
 * logout now and then; `midway` runs once half of them are made.
 */
async function burst(h: BridgeHarness, users: string[], changes: number, ms: number, midway?: () => Promise<void> | void): Promise<void> {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < changes; i++) {
    const user = i % 10 < 2 ? users[0] : users[Math.floor(rnd() * users.length)];
    await setStatus(h, user, { statusId: selectable[Math.floor(rnd() * selectable.length)], loggedIn: rnd() > 0.05 });
    if (i === Math.floor(changes / 2)) await midway?.();
    await new Promise((r) => setTimeout(r, ms / changes));
  }
}

const cic = { directory: { count: 60, seed: 13, noEmailShare: 0.05, duplicateEmailShare: 0 } };

test('a 429 storm and 5xx answers during a burst: every user ends on its final status', async () => {
  h = await startBridge('presence429', { cic });
  const links = await pairAndSettle(h);
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'rateLimit', retryAfterSeconds: 1, pathPattern: 'presences', count: 12 });
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'error', status: 503, share: 0.4, pathPattern: 'presences', count: 15 });
  await burst(h, [...links.keys()], 300, 3_000);
  await allMatch(h, links, 60_000);
  const { counts } = await h.genesysAdmin('GET', '/__admin/requests/counts');
  const statuses = counts.filter((c: any) => c.template.includes('presences')).map((c: any) => c.status);
  assert.ok(statuses.includes(429) && statuses.includes(503), `faults fired: ${JSON.stringify(statuses)}`);
});

test('kill -9 of the worker in the middle of a burst, then a restart: every user ends on its final status', async () => {
  h = await startBridge('presencekill', { cic });
  const links = await pairAndSettle(h);
  await h.workers.stop();
  // Slower answers keep pushes in flight when the kill lands.
  await h.genesysAdmin('POST', '/__admin/faults', { kind: 'latency', latencyMs: 40, pathPattern: 'presences' });
  child = spawnWorkerProcess(h.config);
  // The watch moves to the new process (its activity is retried there) before the burst starts.
  await eventually('the watch in the child process', async () => h!.cic.servers.a.sessions.size + h!.cic.servers.b.sessions.size >= 1, 60_000);
  await new Promise((r) => setTimeout(r, 3_000));
  const killed = child;
  await burst(h, [...links.keys()], 200, 2_000, () => {
    killed.kill('SIGKILL');
  });
  await new Promise((r) => (killed.exitCode !== null || killed.signalCode !== null ? r(undefined) : killed.once('exit', r)));
  await assert.rejects(allMatch(h, links, 1_000), /wrong/, 'the kill left users behind');
  child = spawnWorkerProcess(h.config);
  await h.genesysAdmin('DELETE', '/__admin/faults');
  await allMatch(h, links, 90_000);
});

test('an ICWS switchover in the middle of a burst: every user ends on its final status', async () => {
  h = await startBridge('presenceswitch', { cic });
  const links = await pairAndSettle(h);
  await burst(h, [...links.keys()], 200, 2_000, () => h!.cic.switchover());
  await allMatch(h, links, 60_000);
  assert.ok(h.cic.servers.b.role === 'primary', 'the switchover happened');
});
