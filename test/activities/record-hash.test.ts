import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configureLogging } from '../../lib/logger';
import { startCicSimulatorPair } from '../../simulators/cic';
import { IcwsSession, listUsers, watchCic, type IcwsUserRecord } from '../../clients/cic';
import { MAPPED_RECORD_PATHS, recordHash } from '../../activities/record-hash';

configureLogging({ level: 'silent' });

test('a watch snapshot record hashes exactly as the directory read staged it, for every user', async () => {
  // Odd phones, missing emails and unicode names: whatever the seeded directory holds.
  const sim = await startCicSimulatorPair({ directory: { count: 60, seed: 4, noEmailShare: 0.2, oddPhoneShare: 0.3 } });
  const stop = new AbortController();
  try {
    const session = await IcwsSession.connect({ servers: [sim.urls.primary], userId: 'PureCloudAdmin', password: 'admin-pass' });
    const read = new Map<string, string>();
    for await (const page of listUsers(session, { select: MAPPED_RECORD_PATHS.join(',') })) {
      for (const r of page) read.set(r.configurationId.id, recordHash(r));
    }
    await session.close();

    let snapshot: IcwsUserRecord[] | undefined;
    const watching = watchCic({
      servers: [sim.urls.primary],
      userId: 'PureCloudAdmin',
      password: 'admin-pass',
      subscribe: { users: true, userProperties: MAPPED_RECORD_PATHS },
      onEvent: (e) => {
        if (e.kind === 'users-snapshot') {
          snapshot = e.records;
          stop.abort();
        }
      },
      signal: stop.signal,
    });
    await watching;
    assert.ok(snapshot, 'a snapshot');
    assert.equal(snapshot.length, read.size);
    const differing = snapshot.filter((r) => read.get(r.configurationId.id) !== recordHash(r)).map((r) => r.configurationId.id);
    assert.deepEqual(differing, []);
    // Only what was asked for: nothing outside the mapped paths reaches the watch.
    for (const r of snapshot) {
      assert.deepEqual(Object.keys(r).filter((k) => k !== 'configurationId' && k !== 'personalInformationProperties'), []);
      const allowed = new Set(MAPPED_RECORD_PATHS.map((p) => p.split('.')[1]).filter(Boolean));
      assert.deepEqual(Object.keys(r.personalInformationProperties ?? {}).filter((k) => !allowed.has(k)), []);
    }
  } finally {
    stop.abort();
    await sim.close();
  }
});
