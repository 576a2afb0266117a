import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { allMatch, linkedUsers, pairAndSettle, setStatus, shownPresence } from '../support/presence';
import { statusCatalog } from '../../simulators/cic';
import { mapStatus, presenceHealth, presenceSummary, userPresence } from '../../operations/presence';
import { createRedis } from '../../queues/connection';
import { printUserPresence } from '../../cli/presence-commands';
import type { Redis } from 'ioredis';

let h: BridgeHarness;
let links: Map<string, string>;
let redis: Redis;

before(async () => {
  h = await startBridge('presence', { cic: { directory: { count: 40, seed: 5, noEmailShare: 0.1, duplicateEmailShare: 0 } } });
  redis = createRedis(h.config.redisUrl, 'producer');
  links = await pairAndSettle(h);
});
after(async () => {
  redis?.disconnect();
  await h?.stop();
});

const deps = () => ({ db: h.db, redis, queuePrefix: h.config.queuePrefix });

// The default table, row by row, for every status in the simulator's (CIC's standard) catalog.
const defaults: Record<string, string> = {
  Available: 'Available',
  'Available No ACD': 'Available',
  'Available, Follow-Me': 'Available',
  'Available, Forward': 'Available',
  'Available Remote': 'Available',
  'Away from desk': 'Away',
  'At Lunch': 'Meal',
  'At Play': 'Break',
  'At a Training Session': 'Training',
  'In a meeting': 'Meeting',
  'Do Not Disturb': 'Busy',
  'Follow Up': 'Busy',
  AcdAgentNotAnswering: 'Away',
  'Gone Home': 'Offline',
  'On Vacation': 'Offline',
  'Out of the Office': 'Away',
  'Out of Town': 'Away',
  'Working at Home': 'Available',
};

test('pairing registers one presence source and makes it primary for every linked user', async () => {
  const sources = [...h.genesys.state.presenceSources.values()];
  assert.equal(sources.length, 1, 'one source per pairing');
  for (const cloudId of links.values()) assert.equal(shownPresence(h, cloudId)?.sourceId, sources[0].id);
});

test('each CIC status maps to its default presence, through the real workers', async () => {
  assert.deepEqual(Object.keys(defaults).sort(), statusCatalog.map((s) => s.statusId).sort(), 'the table covers the whole catalog');
  const users = [...links.keys()];
  assert.ok(users.length >= Object.keys(defaults).length, 'one linked user per status');
  // Start everyone on a presence no row maps to, so every row below is a real change.
  const entries = Object.entries(defaults);
  entries.forEach(([statusId], i) => void setStatus(h, users[i], { statusId: statusId === 'Gone Home' ? 'Available' : 'Gone Home' }));
  await allMatch(h, links);
  entries.forEach(([statusId], i) => void setStatus(h, users[i], { statusId }));
  await eventually('every row', async () => entries.every(([, presence], i) => shownPresence(h, links.get(users[i])!)?.presence === presence), 10_000);
  const state = await userPresence(h.db, users[entries.findIndex(([s]) => s === 'Do Not Disturb')]);
  assert.equal(state?.presence, 'Busy');
  assert.equal(state?.because, 'standard CIC status');
  assert.ok(state?.pushed_at, 'the push time is recorded');
});

test('logged out of CIC shows Offline whatever the status', async () => {
  const [cicId, cloudId] = [...links][0];
  await setStatus(h, cicId, { statusId: 'Available' });
  await eventually('Available', async () => shownPresence(h, cloudId)?.presence === 'Available', 10_000);
  await setStatus(h, cicId, { statusId: 'Available', loggedIn: false });
  await eventually('Offline', async () => shownPresence(h, cloudId)?.presence === 'Offline', 10_000);
  assert.equal((await userPresence(h.db, cicId))?.because, 'logged out of CIC');
});

test('an operator override changes the mapping of that status, for users already in it too', async () => {
  const [cicId, cloudId] = [...links][1];
  await setStatus(h, cicId, { statusId: 'At Play' });
  await eventually('Break', async () => shownPresence(h, cloudId)?.presence === 'Break', 10_000);
  await assert.rejects(mapStatus(deps(), 'At Play', 'Sleeping'), /unknown presence "Sleeping": use one of Available/);
  assert.equal(await mapStatus(deps(), 'at play', 'busy'), 'Busy');
  await eventually('Busy after the override', async () => shownPresence(h, cloudId)?.presence === 'Busy', 10_000);
  assert.match((await userPresence(h.db, cicId))?.because ?? '', /override/);
  await mapStatus(deps(), 'At Play', 'default');
  await eventually('Break again', async () => shownPresence(h, cloudId)?.presence === 'Break', 10_000);
});

test('a user not linked yet is skipped with the reason, and gets its presence once linked', async () => {
  const cicId = h.cic.directory.list().find((u: any) => !u.personalInformationProperties?.emailAddress && u.configurationId.id !== 'PureCloudAdmin')!.configurationId.id;
  await setStatus(h, cicId, { statusId: 'In a meeting' });
  const skipped = await eventually('the skip', async () => {
    const s = await userPresence(h.db, cicId);
    return s?.skipped_reason && s.status_id === 'In a meeting' ? s : undefined;
  }, 10_000);
  assert.match(skipped.skipped_reason ?? '', /not linked/);
  h.cic.directory.change(cicId, { personalInformationProperties: { emailAddress: `${cicId.toLowerCase()}@example.org` } });
  const cloudId = await eventually('the link', async () => (await linkedUsers(h)).get(cicId), 20_000);
  await eventually('its presence', async () => shownPresence(h, cloudId)?.presence === 'Meeting', 10_000);
  assert.equal((await userPresence(h.db, cicId))?.skipped_reason, null);
});

test('a flapping agent (20 changes in one second) ends on its final status with at most 2 writes', async () => {
  const [cicId, cloudId] = [...links][2];
  await setStatus(h, cicId, { statusId: 'Available' });
  await eventually('Available', async () => shownPresence(h, cloudId)?.presence === 'Available', 10_000);
  const before = shownPresence(h, cloudId)!.updates;
  const cycle = ['Do Not Disturb', 'At Lunch', 'Away from desk', 'In a meeting'];
  for (let i = 0; i < 20; i++) {
    await setStatus(h, cicId, { statusId: cycle[i % cycle.length] });
    await new Promise((r) => setTimeout(r, 50));
  }
  await setStatus(h, cicId, { statusId: 'At a Training Session' });
  await eventually('the final status', async () => shownPresence(h, cloudId)?.presence === 'Training', 10_000);
  await new Promise((r) => setTimeout(r, 1_500));
  const writes = shownPresence(h, cloudId)!.updates - before;
  assert.ok(writes <= 2, `${writes} presence writes for one flapping agent`);
  assert.equal(shownPresence(h, cloudId)?.presence, 'Training');
});

test('a change in the CIC status catalog re-maps the users in that status', async () => {
  const [cicId, cloudId] = [...links][3];
  await h.cicAdmin('PUT', `/__admin/status-messages/${encodeURIComponent('Project Work')}`, { messageText: 'Project Work', groupTag: 'Project' });
  await setStatus(h, cicId, { statusId: 'Project Work' });
  await eventually('Away (no rule matched)', async () => shownPresence(h, cloudId)?.presence === 'Away', 10_000);
  await h.cicAdmin('PUT', `/__admin/status-messages/${encodeURIComponent('Project Work')}`, { isDoNotDisturbStatus: true });
  await eventually('Busy once the status is do-not-disturb', async () => shownPresence(h, cloudId)?.presence === 'Busy', 10_000);
  assert.equal((await userPresence(h.db, cicId))?.because, 'do-not-disturb status');
});

test('bridge user <id> shows the CIC status, the mapped presence and when it was pushed', async () => {
  const [cicId] = [...links][3];
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await printUserPresence(h.db, cicId);
  } finally {
    console.log = log;
  }
  assert.match(lines.join('\n'), /CIC status: Project Work, seen \d{4}-/);
  assert.match(lines.join('\n'), /Presence: Busy \(do-not-disturb status\)/);
  assert.match(lines.join('\n'), /Pushed: Busy at \d{4}-/);
});

test('bridge presence reports the last minute, and the health verdict is green', async () => {
  const s = await presenceSummary(deps());
  assert.ok(s.requestsLastMinute > 0 && s.usersPushedLastMinute > 0, JSON.stringify(s));
  assert.equal(typeof s.lagP50Ms, 'number');
  assert.ok(s.lagP95Ms! >= s.lagP50Ms!);
  assert.equal(s.users.withError, 0);
  const health = await presenceHealth(h.db);
  assert.equal(health.status, 'green', health.reason);
});
