import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, clientCredentialsProvider, createHttpClient, staticBearer } from '../../clients/genesys';
import { useGenesysClientSuite } from '../support/genesys-client-fixture';

const { sim, client } = useGenesysClientSuite('genesys_oauth');

beforeEach(() => {
  sim.state.settings.tokenLifetimeSeconds = 86_400;
});

const tokenRequests = () => sim.state.requestLog.count({ template: '/oauth/token' });

test('a burst of requests on a cold cache fetches one token and reuses it', async () => {
  const gc = client();
  const orgs = await Promise.all(Array.from({ length: 10 }, () => gc.fetchOrganization()));
  assert.equal(orgs[0].thirdPartyOrgName, 'demo-org');
  assert.equal(tokenRequests(), 1);
  assert.equal(gc.tokens.fetched, 1);
  await gc.fetchOrganization();
  assert.equal(tokenRequests(), 1, 'the cached token served the later request too');
});

test('the token is refreshed shortly before it expires', async () => {
  sim.state.settings.tokenLifetimeSeconds = 2;
  const tokens = clientCredentialsProvider({
    loginUrl: sim.urls.login,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
  });
  const first = await tokens.getToken();
  assert.equal(await tokens.getToken(), first);
  // Lifetime 2 s, refresh margin a tenth of it: at 1.85 s the cached token is no longer handed out.
  await new Promise((r) => setTimeout(r, 1850));
  const second = await tokens.getToken();
  assert.notEqual(second, first);
  assert.equal(tokenRequests(), 2);
});

test('a 401 on a cached token fetches a new token once and repeats the request, even a POST', async () => {
  const gc = client();
  await gc.fetchOrganization();
  sim.state.expireTokens();
  const res = await gc.http.request<{ name: string }>({
    method: 'POST',
    path: '/api/v2/presence/sources',
    body: { name: 'CIC bridge' },
  });
  assert.equal(res.body.name, 'CIC bridge');
  assert.equal(gc.stats.tokenRefreshes, 1);
  assert.equal(tokenRequests(), 2);
  assert.equal(sim.state.requestLog.count({ method: 'POST', status: 401 }), 1);
  assert.equal(sim.state.presenceSources.size, 1, 'the refused POST was not applied, the repeat was');
});

test('a token the API keeps refusing ends in a non-retryable AuthError after one refresh', async () => {
  const http = createHttpClient({ baseUrl: sim.urls.api, tokens: staticBearer('not-a-token') });
  await assert.rejects(http.request({ method: 'GET', path: '/api/v2/organizations/me' }), (err) => {
    assert.ok(err instanceof AuthError);
    assert.equal(err.retryable, false);
    assert.equal(err.name, 'GenesysAuth');
    return true;
  });
  assert.equal(http.stats.requests, 2);
});

test('wrong client credentials are an AuthError that names the client but never the secret', async () => {
  const tokens = clientCredentialsProvider({
    loginUrl: sim.urls.login,
    clientId: 'demo-client',
    clientSecret: 'wrong-secret-value',
  });
  await assert.rejects(tokens.getToken(), (err) => {
    assert.ok(err instanceof AuthError);
    assert.equal(err.code, 'invalid_client');
    assert.match(err.message, /demo-client/);
    assert.doesNotMatch(err.message, /wrong-secret-value/);
    return true;
  });
});

test('a login host that fails transiently is retried like any safe request', async () => {
  const gc = client();
  sim.state.faults.add({ kind: 'error', status: 503, host: 'login', count: 1 });
  assert.equal((await gc.fetchOrganization()).thirdPartyOrgName, 'demo-org');
  assert.equal(tokenRequests(), 2);
  assert.equal(gc.stats.retries, 1);
});
