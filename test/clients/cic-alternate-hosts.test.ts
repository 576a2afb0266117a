import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { configureLogging } from '../../lib/logger';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsSession, ServerUnavailableError, alternateHostPolicy, verifyCredentials } from '../../clients/cic';
import { captureLogs } from '../support/secret-scan';

configureLogging({ level: 'warn' });

let sim: CicSimulatorPair;
const admin = { userId: 'PureCloudAdmin', password: 'admin-pass' };
/** Stands in for a host a forged or misconfigured 503 names: it records every request it gets. */
let trap: Server;
const trapped: string[] = [];
let trapPort: number;
/** A "CIC server" answering every connect with 503, naming `alternates`. */
let liar: Server;
let liarPort: number;
let alternates: string[] = [];

before(async () => {
  sim = await startCicSimulatorPair({ directory: { count: 5, seed: 7 } });
  trap = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      trapped.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sessionId: '1', csrfToken: 'x' }));
    });
  }).listen(0, '127.0.0.1');
  await once(trap, 'listening');
  trapPort = (trap.address() as { port: number }).port;
  liar = createServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errorId: 'error.server.notAcceptingConnections', message: 'not accepting', alternateHostList: alternates }));
  }).listen(0, '127.0.0.1');
  await once(liar, 'listening');
  liarPort = (liar.address() as { port: number }).port;
});

after(async () => {
  await sim?.close();
  trap?.close();
  liar?.close();
});

test('a 503 naming a host outside the configured pair is not followed: the password never goes there', async () => {
  for (const named of [`127.0.0.1:${trapPort}`, `http://127.0.0.1:${trapPort}`, `localhost:${trapPort}`]) {
    alternates = [named];
    const logs = captureLogs();
    const err = await IcwsSession.connect({ servers: [`http://127.0.0.1:${liarPort}`], ...admin, timeoutMs: 2_000 }).catch((e: unknown) => e);
    logs.stop();
    assert.ok(err instanceof ServerUnavailableError, `${named}: ${String(err)}`);
    assert.match(logs.text(), /not one of the configured CIC servers/, 'the refusal is logged');
  }
  const verdict = await verifyCredentials({ servers: [`http://127.0.0.1:${liarPort}`], ...admin, timeoutMs: 2_000 }).catch((e: unknown) => e);
  assert.ok(verdict, 'verifyCredentials answered');
  assert.deepEqual(trapped, [], 'no request, so no password, reached the named host');
});

test('the simulator pair still switches over: the backup sends us to the configured primary', async () => {
  await fetch(`${sim.urls.admin}/__admin/requests`, { method: 'DELETE' });
  const session = await IcwsSession.connect({ servers: [sim.urls.backup, sim.urls.primary], ...admin });
  try {
    assert.equal(session.server, sim.urls.primary);
    assert.deepEqual(session.alternateServers, [sim.urls.backup]);
  } finally {
    await session.close();
  }
  // Configured alone, the backup's alternate (the primary, another port) is refused unless allowed by name.
  const alone = await IcwsSession.connect({ servers: [sim.urls.backup], ...admin }).catch((e: unknown) => e);
  assert.ok(alone instanceof ServerUnavailableError);
  await sim.switchover();
  const after = await IcwsSession.connect({ servers: [sim.urls.backup, sim.urls.primary], ...admin });
  assert.equal(after.server, sim.urls.primary, 'after a switchover the new primary takes the session');
  await after.close();
});

test('the policy never downgrades https to http, and follows the pair (bare names on our scheme and port) and the allow-list', () => {
  const policy = alternateHostPolicy(['https://cic1.example.com:8019', 'https://cic2.example.com:8019'], ['cic3.example.com']);
  const from = 'https://cic1.example.com:8019';
  const r = policy.filter(
    ['cic2.example.com', 'http://cic2.example.com:8019', 'https://cic2.example.com:8019', 'evil.example.net', 'cic2.example.com:9999', 'cic3.example.com:4443', 'ftp://cic2.example.com'],
    from,
  );
  assert.deepEqual(r.allowed, ['https://cic2.example.com:8019', 'https://cic2.example.com:8019', 'https://cic3.example.com:4443']);
  assert.deepEqual(
    r.refused.map((x) => `${x.entry}: ${x.reason}`),
    [
      'http://cic2.example.com:8019: would downgrade https to http',
      'evil.example.net: evil.example.net:8019 is not one of the configured CIC servers',
      'cic2.example.com:9999: cic2.example.com:9999 is not one of the configured CIC servers',
      'ftp://cic2.example.com: scheme ftp: is not http(s)',
    ],
  );
  // From plain http the pair may move to https.
  assert.deepEqual(alternateHostPolicy(['http://a:80', 'https://b:443']).filter(['https://b'], 'http://a').allowed, ['https://b']);
});
