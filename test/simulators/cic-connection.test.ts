import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { startCicSimulatorPair, type CicSimulatorPair } from '../../simulators/cic';
import { IcwsTestClient, postConnection } from '../../simulators/cic/test-client';

const silent = pino({ level: 'silent' });

describe('CIC simulator: connection', () => {
  let pair: CicSimulatorPair;

  before(async () => {
    pair = await startCicSimulatorPair({ directory: { count: 20, seed: 7 }, logger: silent });
  });
  after(() => pair.close());

  it('creates a session with 201, session headers, a scoped HttpOnly cookie and the peer as alternate host', async () => {
    const res = await postConnection(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
      include: 'features,version',
    });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /^application\/vnd\.inin\.icws\+JSON/);
    const { sessionId, csrfToken } = res.body;
    assert.match(sessionId, /^\d+$/);
    assert.ok(csrfToken);
    assert.equal(res.headers.get('ININ-ICWS-Session-ID'), sessionId);
    assert.equal(res.headers.get('ININ-ICWS-CSRF-Token'), csrfToken);
    assert.equal(res.headers.get('location'), `/icws/${sessionId}/connection`);
    assert.match(
      res.headers.get('set-cookie') ?? '',
      new RegExp(`^icws_${sessionId}=\\w+; Path=/icws/${sessionId}; HttpOnly$`),
    );
    assert.deepEqual(res.body.alternateHostList, [new URL(pair.urls.backup).host]);
    assert.equal(res.body.icServer, 'cic-a');
    assert.equal(res.body.userID, 'PureCloudAdmin');
    assert.equal(res.body.userDisplayName, 'PureCloud Admin');
    assert.deepEqual(
      res.body.features.find((f: any) => f.featureId === 'messaging'),
      { featureId: 'messaging', version: 2 },
    );
    assert.equal(res.body.version.majorVersion, 25);
  });

  it('answers a wrong password or an unknown user with 400 authenticationFailure', async () => {
    for (const creds of [
      { userID: 'PureCloudAdmin', password: 'wrong' },
      { userID: 'nobody.here', password: 'password' },
    ]) {
      const res = await postConnection(pair.urls.primary, creds);
      assert.equal(res.status, 400);
      assert.equal(res.body.errorId, 'error.request.connection.authenticationFailure');
      assert.equal(typeof res.body.errorCode, 'number');
      assert.ok(res.body.message);
      assert.equal(res.headers.get('set-cookie'), null);
    }
  });

  it('requires Accept-Language on connect, and `*` (what fetch sends by default) names no language', async () => {
    const star = await postConnection(
      pair.urls.primary,
      { userID: 'PureCloudAdmin', password: 'admin-pass' },
      {},
    );
    assert.equal(star.status, 400);
    assert.equal(star.body.errorId, 'error.request.missingHeader');
    const absent = await rawPost(`${pair.urls.primary}/icws/connection`, {
      __type: 'urn:inin.com:connection:icAuthConnectionRequestSettings',
      applicationName: 'test',
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
    assert.equal(absent.status, 400);
    assert.equal(absent.body.errorId, 'error.request.missingHeader');
  });

  it('rejects a body without applicationName and an unsupported auth type', async () => {
    const base = { 'Content-Type': 'application/json', 'Accept-Language': 'en-us' };
    const missing = await fetch(`${pair.urls.primary}/icws/connection`, {
      method: 'POST',
      headers: base,
      body: JSON.stringify({
        __type: 'urn:inin.com:connection:icAuthConnectionRequestSettings',
        userID: 'PureCloudAdmin',
        password: 'admin-pass',
      }),
    });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as any).propertyName, 'applicationName');
    const token = await fetch(`${pair.urls.primary}/icws/connection`, {
      method: 'POST',
      headers: base,
      body: JSON.stringify({
        __type: 'urn:inin.com:connection:authTokenConnectionRequestSettings',
        applicationName: 'x',
      }),
    });
    assert.equal(token.status, 400);
  });

  it('lets any CIC user with the right password sign in, which is how the bridge checks credentials', async () => {
    const user = pair.directory.list()[3].configurationId.id;
    const ok = await IcwsTestClient.connect(pair.urls.primary, {
      userID: user.toUpperCase(),
      password: 'password',
    });
    assert.equal(ok.connection.userID, user);
    pair.directory.setPassword(user, 'n3w');
    assert.equal(
      (await postConnection(pair.urls.primary, { userID: user, password: 'password' })).status,
      400,
    );
    assert.equal((await postConnection(pair.urls.primary, { userID: user, password: 'n3w' })).status, 201);
    pair.directory.remove(user);
    assert.equal((await postConnection(pair.urls.primary, { userID: user, password: 'n3w' })).status, 400);
    pair.directory.restore(user);
  });

  it('needs both the CSRF header and the cookie on session calls', async () => {
    const client = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
    assert.equal((await client.request('GET', '/connection')).status, 200);
    const url = `${pair.urls.primary}/icws/${client.sessionId}/configuration/users`;
    const noCsrf = await fetch(url, { headers: { Cookie: client.cookie } });
    const noCookie = await fetch(url, { headers: { 'ININ-ICWS-CSRF-Token': client.csrfToken } });
    const wrongCsrf = await fetch(url, {
      headers: { Cookie: client.cookie, 'ININ-ICWS-CSRF-Token': 'forged' },
    });
    const unknown = await fetch(`${pair.urls.primary}/icws/12345/configuration/users`, {
      headers: { Cookie: client.cookie, 'ININ-ICWS-CSRF-Token': client.csrfToken },
    });
    for (const res of [noCsrf, noCookie, wrongCsrf, unknown]) {
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'ICWS realm="ICWS" location="/ICWS/connection"');
    }
  });

  it('ends the session on logout, after which calls are 401', async () => {
    const client = await IcwsTestClient.connect(pair.urls.primary, {
      userID: 'PureCloudAdmin',
      password: 'admin-pass',
    });
    const state = await client.request('GET', '/connection');
    assert.equal(state.body.connectionState, 1);
    assert.equal((await client.request('DELETE', '/connection')).status, 204);
    assert.equal((await client.request('GET', '/connection')).status, 401);
    assert.equal((await client.request('GET', '/messaging/messages')).status, 401);
  });

  it('serves features and version without a session', async () => {
    const features = (await (await fetch(`${pair.urls.primary}/icws/connection/features`)).json()) as any;
    assert.ok(features.featureInfoList.some((f: any) => f.featureId === 'messaging' && f.version >= 2));
    const version = (await (await fetch(`${pair.urls.primary}/icws/connection/version`)).json()) as any;
    assert.equal(version.productReleaseDisplayString, 'CIC 2025 R1');
  });

  it('answers 503 notAcceptingConnections with the primary as alternate host on the backup', async () => {
    const res = await postConnection(pair.urls.backup, { userID: 'PureCloudAdmin', password: 'admin-pass' });
    assert.equal(res.status, 503);
    assert.equal(res.body.errorId, 'error.server.notAcceptingConnections');
    assert.deepEqual(res.body.alternateHostList, [new URL(pair.urls.primary).host]);
  });
});

/** node:http adds no Accept-Language of its own, unlike fetch. */
function rawPost(url: string, body: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
