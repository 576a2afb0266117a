import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { seedUser } from '../../simulators/genesys/admin';
import {
  bearerAssertion,
  buildAssertionXml,
  createSigningCredentials,
  signRootElement,
  toBase64,
  type AssertionOptions,
} from '../../simulators/genesys/saml-test-kit';
import { basicAuth, clientToken, simFetch } from '../../simulators/genesys/sim-client';
import { useGenesysSimulator } from '../support/genesys-sim-fixture';

const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';
const ISSUER = 'https://bridge.example.com/saml/idp';
const AUDIENCE = 'urn:genesys:demo-org';

describe('Genesys simulator: OAuth token endpoint', () => {
  const sim = useGenesysSimulator({ rateLimitPerMinute: 0 });
  const creds = createSigningCredentials({ commonName: 'bridge IdP' });
  const stranger = createSigningCredentials({ commonName: 'someone else' });
  let apiToken: string;

  const token = (form: Record<string, string>, auth = basicAuth('demo-client', 'demo-secret')) =>
    simFetch(`${sim.urls.login}/oauth/token`, { headers: { authorization: auth }, form });
  const assertionFor = (o: Partial<AssertionOptions> = {}, sign = true, credentials = creds) =>
    bearerAssertion({
      issuer: ISSUER,
      nameId: 'agent@example.com',
      email: 'agent@example.com',
      organizationName: 'demo-org',
      audience: AUDIENCE,
      recipient: `${sim.urls.login}/oauth/token`,
      credentials,
      sign,
      ...o,
    });
  const bearer = (assertion: string, orgName = 'demo-org') =>
    token({ grant_type: SAML2_BEARER, orgName, assertion });

  before(async () => {
    apiToken = await clientToken(sim.urls.login);
  });
  beforeEach(async () => {
    seedUser(sim.state, { userName: 'agent@example.com', displayName: 'Agent' }, sim.urls.api);
    seedUser(
      sim.state,
      { userName: 'former@example.com', displayName: 'Former', active: false },
      sim.urls.api,
    );
    const idp = await simFetch(`${sim.urls.api}/api/v2/identityproviders/generic`, {
      method: 'PUT',
      token: apiToken,
      json: {
        name: 'CIC bridge',
        issuerURI: ISSUER,
        relyingPartyIdentifier: AUDIENCE,
        certificate: creds.certificatePem,
        disabled: false,
      },
    });
    assert.equal(idp.status, 200);
  });

  describe('client credentials', () => {
    it('issues a bearer token for a known client', async () => {
      const res = await token({ grant_type: 'client_credentials' });
      assert.equal(res.status, 200);
      assert.equal(res.body.token_type, 'bearer');
      assert.equal(res.body.expires_in, 86400);
      assert.ok(res.body.access_token.length > 40);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const org = await simFetch(`${sim.urls.api}/api/v2/organizations/me`, { token: res.body.access_token });
      assert.equal(org.status, 200);
    });

    it('answers 401 invalid_client for a wrong secret, an unknown client or no credentials', async () => {
      for (const auth of [basicAuth('demo-client', 'wrong'), basicAuth('nobody', 'demo-secret'), '']) {
        const res = await token({ grant_type: 'client_credentials' }, auth);
        assert.equal(res.status, 401);
        assert.equal(res.body.error, 'invalid_client');
        assert.match(res.headers.get('www-authenticate')!, /Basic/);
      }
    });

    it('answers 400 for unsupported or missing grant types and non-form bodies', async () => {
      const unsupported = await token({ grant_type: 'password', username: 'a', password: 'b' });
      assert.equal(unsupported.status, 400);
      assert.equal(unsupported.body.error, 'unsupported_grant_type');
      const missing = await token({});
      assert.equal(missing.body.error, 'invalid_request');
      const json = await simFetch(`${sim.urls.login}/oauth/token`, {
        headers: { authorization: basicAuth('demo-client', 'demo-secret') },
        json: { grant_type: 'client_credentials' },
      });
      assert.equal(json.status, 400);
    });

    it('creates extra clients through the admin API and limits their grant types', async () => {
      const created = await simFetch(`${sim.urls.admin}/__admin/clients`, {
        json: { grantTypes: ['saml2-bearer'] },
      });
      assert.equal(created.status, 201);
      const res = await token(
        { grant_type: 'client_credentials' },
        basicAuth(created.body.id, created.body.secret),
      );
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'unauthorized_client');
    });
  });

  describe('SAML2-bearer grant (RFC 7522)', () => {
    it('exchanges a signed assertion for a user-context token', async () => {
      const res = await bearer(assertionFor());
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.token_type, 'bearer');
      const me = await simFetch(`${sim.urls.api}/api/v2/users/me`, { token: res.body.access_token });
      assert.equal(me.status, 200);
      assert.equal(me.body.email, 'agent@example.com');
      const logins = (await simFetch(`${sim.urls.admin}/__admin/logins`)).body.logins;
      assert.equal(logins.length, 1);
      assert.equal(logins[0].kind, 'saml2-bearer');
      assert.equal(logins[0].userName, 'agent@example.com');
    });

    it('accepts base64url encoding and a rotated second certificate', async () => {
      const rotated = createSigningCredentials();
      sim.state.identityProviders.get('generic')!.certificates.push(rotated.certificatePem);
      const b64url = assertionFor({}, true, rotated)
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
      assert.equal((await bearer(b64url)).status, 200);
    });

    const refusals: [string, () => string, RegExp][] = [
      ['unsigned', () => assertionFor({}, false), /saml\.unsigned/],
      ['signed by an unregistered key', () => assertionFor({}, true, stranger), /saml\.signature\.invalid/],
      [
        'tampered after signing',
        () =>
          toBase64(
            Buffer.from(assertionFor(), 'base64')
              .toString('utf8')
              .replace('agent@example.com</saml:NameID>', 'other@example.com</saml:NameID>'),
          ),
        /saml\.signature\.invalid/,
      ],
      [
        'expired',
        () =>
          assertionFor({ now: new Date(Date.now() - 600_000), notOnOrAfter: new Date(Date.now() - 11_000) }),
        /saml\.expired/,
      ],
      [
        'not yet valid',
        () => assertionFor({ now: new Date(Date.now() + 60_000), notBefore: new Date(Date.now() + 30_000) }),
        /saml\.not_yet_valid/,
      ],
      ['for another audience', () => assertionFor({ audience: 'urn:someone-else' }), /saml\.audience/],
      [
        'for another recipient',
        () => assertionFor({ recipient: 'https://login.mypurecloud.com/oauth/token' }),
        /saml\.recipient/,
      ],
      ['from an unknown issuer', () => assertionFor({ issuer: 'https://evil.example.com' }), /saml\.issuer/],
      [
        'for another organization',
        () => assertionFor({ organizationName: 'other-org' }),
        /saml\.organization/,
      ],
      [
        'for an inactive user',
        () => assertionFor({ nameId: 'former@example.com', email: 'former@example.com' }),
        /saml\.user/,
      ],
      [
        'for an unknown user',
        () => assertionFor({ nameId: 'ghost@example.com', email: 'ghost@example.com' }),
        /saml\.user/,
      ],
    ];
    for (const [name, make, reason] of refusals) {
      it(`refuses an assertion ${name} with 400 invalid_grant`, async () => {
        const res = await bearer(make());
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'invalid_grant');
        assert.match(res.body.error_description, reason);
      });
    }

    it('tolerates 10 s of clock skew', async () => {
      const res = await bearer(
        assertionFor({ now: new Date(Date.now() - 300_000), notOnOrAfter: new Date(Date.now() - 5_000) }),
      );
      assert.equal(res.status, 200, res.text);
    });

    it('refuses a replayed assertion, a wrong orgName and a disabled provider', async () => {
      const a = assertionFor();
      assert.equal((await bearer(a)).status, 200);
      const replay = await bearer(a);
      assert.match(replay.body.error_description, /saml\.replay/);
      assert.equal((await bearer(assertionFor(), 'other-org')).body.error, 'invalid_grant');
      assert.equal(
        (await token({ grant_type: SAML2_BEARER, orgName: 'demo-org' })).body.error,
        'invalid_request',
      );
      sim.state.identityProviders.get('generic')!.disabled = true;
      assert.match((await bearer(assertionFor())).body.error_description, /saml\.idp_disabled/);
    });

    it('refuses a SHA-1 signature and an assertion carrying a DTD', async () => {
      const xml = buildAssertionXml({
        issuer: ISSUER,
        nameId: 'agent@example.com',
        audience: AUDIENCE,
        recipient: `${sim.urls.login}/oauth/token`,
      });
      const signed = signRootElement(xml, creds).replace(
        'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      );
      assert.match((await bearer(toBase64(signed))).body.error_description, /saml\.signature\.algorithm/);
      const dtd = `<!DOCTYPE x [<!ENTITY e "agent@example.com">]>${signRootElement(xml, creds)}`;
      assert.match((await bearer(toBase64(dtd))).body.error_description, /saml\.malformed/);
    });

    it('lets Conditions NotOnOrAfter stand in for SubjectConfirmationData, as RFC 7522 allows', async () => {
      const xml = buildAssertionXml({
        issuer: ISSUER,
        nameId: 'agent@example.com',
        audience: AUDIENCE,
        recipient: `${sim.urls.login}/oauth/token`,
      }).replace(/<saml:SubjectConfirmationData[^>]*\/>/, '');
      assert.equal((await bearer(toBase64(signRootElement(xml, creds)))).status, 200);
      const noExpiry = xml.replace(/ NotOnOrAfter="[^"]*"/, '');
      const res = await bearer(toBase64(signRootElement(noExpiry, creds)));
      assert.match(res.body.error_description, /saml\.subject_confirmation/);
    });

    it('treats a user-context token as expired once its lifetime passes', async () => {
      const res = await bearer(assertionFor());
      sim.state.expireTokens(res.body.access_token);
      assert.equal(
        (await simFetch(`${sim.urls.api}/api/v2/users/me`, { token: res.body.access_token })).status,
        401,
      );
    });
  });

  describe('identity provider registration', () => {
    it('validates certificates and required fields, and serves the provider back', async () => {
      const put = (json: unknown, type = 'generic') =>
        simFetch(`${sim.urls.api}/api/v2/identityproviders/${type}`, {
          method: 'PUT',
          token: apiToken,
          json,
        });
      assert.equal(
        (await put({ issuerURI: ISSUER, relyingPartyIdentifier: AUDIENCE, certificate: 'not a cert' }))
          .status,
        400,
      );
      assert.equal((await put({ issuerURI: ISSUER, relyingPartyIdentifier: AUDIENCE })).status, 400);
      assert.equal(
        (await put({ relyingPartyIdentifier: AUDIENCE, certificate: creds.certificatePem })).status,
        400,
      );
      const bare = creds.certificatePem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
      const cic = await put(
        { issuerURI: 'urn:cic', relyingPartyIdentifier: AUDIENCE, certificates: [bare] },
        'cic',
      );
      assert.equal(cic.status, 200);
      assert.match(cic.body.certificate, /BEGIN CERTIFICATE/);
      const list = await simFetch(`${sim.urls.api}/api/v2/identityproviders`, { token: apiToken });
      assert.deepEqual(list.body.entities.map((e: any) => e.id).sort(), ['cic', 'generic']);
      const del = await simFetch(`${sim.urls.api}/api/v2/identityproviders/cic`, {
        method: 'DELETE',
        token: apiToken,
      });
      assert.equal(del.status, 204);
      assert.equal(
        (await simFetch(`${sim.urls.api}/api/v2/identityproviders/cic`, { token: apiToken })).status,
        404,
      );
    });
  });
});
