import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { registerIdentityProvider } from '../../simulators/genesys';
import { seedUser } from '../../simulators/genesys/admin';
import {
  buildAssertionXml,
  buildResponseXml,
  createSigningCredentials,
  samlResponse,
  signRootElement,
  toBase64,
  type AssertionOptions,
} from '../../simulators/genesys/saml-test-kit';
import { simFetch } from '../../simulators/genesys/sim-client';
import { useGenesysSimulator } from '../support/genesys-sim-fixture';

const ISSUER = 'https://bridge.example.com/saml/idp';
const AUDIENCE = 'urn:genesys:demo-org';

describe('Genesys simulator: SAML ACS (/saml)', () => {
  const sim = useGenesysSimulator();
  let acs: string;
  const creds = createSigningCredentials();

  const options = (o: Partial<AssertionOptions> = {}): AssertionOptions => ({
    issuer: ISSUER,
    nameId: 'agent@example.com',
    email: 'agent@example.com',
    organizationName: 'demo-org',
    audience: AUDIENCE,
    recipient: acs,
    ...o,
  });
  const response = (
    o: Partial<AssertionOptions> = {},
    sign: { signAssertion?: boolean; signResponse?: boolean } = {},
  ) => samlResponse({ ...options(o), credentials: creds, destination: acs, ...sign });
  const post = (SAMLResponse: string, extra: Record<string, string> = {}) =>
    simFetch(acs, { form: { SAMLResponse, ...extra } });
  const decoded = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const refusedWith = async (b64: string, status: number, code: string) => {
    const res = await post(b64);
    assert.equal(res.status, status, res.text);
    assert.equal(res.body.code, code, res.text);
    assert.equal(sim.state.logins.length, 0);
  };

  before(() => {
    acs = `${sim.urls.login}/saml`;
  });
  beforeEach(() => {
    seedUser(sim.state, { userName: 'agent@example.com', displayName: 'Agent' }, sim.urls.api);
    registerIdentityProvider(sim.state, 'generic', {
      issuerURI: ISSUER,
      relyingPartyIdentifier: AUDIENCE,
      certificate: creds.certificatePem,
    });
  });

  it('accepts a signed assertion, records the login and redirects to the landing page', async () => {
    const res = await post(response(), { RelayState: 'abc' });
    assert.equal(res.status, 302, res.text);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith(`${sim.urls.login}/saml/welcome?login=`));
    assert.equal(sim.state.logins.length, 1);
    assert.equal(sim.state.logins[0].kind, 'acs');
    assert.equal(sim.state.logins[0].relayState, 'abc');
    const page = await simFetch(location);
    assert.equal(page.status, 200);
    assert.match(page.text, /agent@example\.com/);
  });

  it('accepts a signed Response around an unsigned assertion, and redirects to a ServiceName URL', async () => {
    const res = await post(
      response(
        { serviceName: 'https://apps.example.com/directory' },
        { signAssertion: false, signResponse: true },
      ),
    );
    assert.equal(res.status, 302, res.text);
    assert.equal(res.headers.get('location'), 'https://apps.example.com/directory');
  });

  it('refuses an unsigned message', () =>
    refusedWith(response({}, { signAssertion: false }), 403, 'saml.unsigned'));

  it('refuses a message tampered after signing', () =>
    refusedWith(
      toBase64(
        decoded(response()).replace('>agent@example.com</saml:NameID>', '>boss@example.com</saml:NameID>'),
      ),
      403,
      'saml.signature.invalid',
    ));

  it('refuses an expired assertion', () =>
    refusedWith(
      response({ now: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 60_000) }),
      403,
      'saml.expired',
    ));

  it('refuses an assertion for another audience', () =>
    refusedWith(response({ audience: 'urn:other-sp' }), 403, 'saml.audience'));

  it('refuses an assertion for another recipient', () =>
    refusedWith(response({ recipient: `${sim.urls.login}/oauth/token` }), 403, 'saml.recipient'));

  it('refuses a Response sent to another Destination', () => {
    const xml = buildResponseXml({
      destination: 'https://login.mypurecloud.com/saml',
      issuer: ISSUER,
      assertionXml: signRootElement(buildAssertionXml(options()), creds),
    });
    return refusedWith(toBase64(xml), 403, 'saml.destination');
  });

  it('refuses a Response whose status is not Success', () => {
    const xml = buildResponseXml({
      destination: acs,
      issuer: ISSUER,
      assertionXml: signRootElement(buildAssertionXml(options()), creds),
      statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
    });
    return refusedWith(toBase64(xml), 403, 'saml.status');
  });

  it('refuses a solicited response (this service provider sends no AuthnRequests) and a foreign Response Issuer', async () => {
    const assertionXml = signRootElement(buildAssertionXml(options()), creds);
    const solicited = buildResponseXml({ destination: acs, issuer: ISSUER, assertionXml }).replace(
      'Version="2.0"',
      'Version="2.0" InResponseTo="_req1"',
    );
    await refusedWith(toBase64(solicited), 403, 'saml.in_response_to');
    const foreign = buildResponseXml({ destination: acs, issuer: 'https://other.example.com', assertionXml });
    await refusedWith(toBase64(foreign), 403, 'saml.issuer');
  });

  it('refuses a missing or foreign OrganizationName, an unknown user and a missing AuthnStatement', async () => {
    await refusedWith(response({ organizationName: undefined }), 403, 'saml.organization');
    await refusedWith(response({ organizationName: 'Demo-Org' }), 403, 'saml.organization');
    await refusedWith(
      response({ nameId: 'ghost@example.com', email: 'ghost@example.com' }),
      403,
      'saml.user',
    );
    await refusedWith(response({ authnStatement: false }), 403, 'saml.authn_statement');
  });

  it('refuses an assertion from an unregistered issuer or after the provider is disabled', async () => {
    await refusedWith(response({ issuer: 'https://other-idp.example.com' }), 403, 'saml.issuer');
    sim.state.identityProviders.get('generic')!.disabled = true;
    await refusedWith(response(), 403, 'saml.idp_disabled');
  });

  it('refuses a replayed assertion', async () => {
    const once = response();
    assert.equal((await post(once)).status, 302);
    const again = await post(once);
    assert.equal(again.status, 403);
    assert.equal(again.body.code, 'saml.replay');
  });

  it('refuses malformed input with 400', async () => {
    await refusedWith('%%%not-base64%%%', 400, 'saml.malformed');
    await refusedWith(toBase64('<samlp:Response'), 400, 'saml.malformed');
    assert.equal((await simFetch(acs, { form: {} })).status, 400);
  });

  describe('signature wrapping', () => {
    it('refuses a forged assertion placed beside the signed one', async () => {
      const genuine = decoded(response());
      const forged = buildAssertionXml(
        options({ nameId: 'boss@example.com', email: 'boss@example.com', id: '_forged' }),
      );
      const wrapped = genuine.replace('<saml:Assertion', `${forged}<saml:Assertion`);
      await refusedWith(toBase64(wrapped), 400, 'saml.malformed');
    });

    it('refuses the signed assertion hidden inside an Extensions element of a forged Response', async () => {
      const genuine = decoded(response());
      const start = genuine.indexOf('<saml:Assertion');
      const end = genuine.lastIndexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
      const signedAssertion = genuine.slice(start, end);
      const forged = buildAssertionXml(options({ nameId: 'boss@example.com', email: 'boss@example.com' }));
      const wrapped =
        genuine.slice(0, start) +
        `<samlp:Extensions>${signedAssertion}</samlp:Extensions>` +
        forged +
        genuine.slice(end);
      const res = await post(toBase64(wrapped));
      assert.ok([400, 403].includes(res.status), res.text);
      assert.equal(sim.state.logins.length, 0);
    });

    it('refuses a signature that references a different element than its parent', async () => {
      const genuine = decoded(response());
      const reId = /<saml:Assertion[^>]* ID="([^"]+)"/.exec(genuine)![1];
      const moved = genuine.replace(`ID="${reId}"`, 'ID="_other"');
      await refusedWith(toBase64(moved), 403, 'saml.signature.invalid');
    });

    it('reads the NameID from the signed bytes, so a comment cannot truncate it', async () => {
      seedUser(sim.state, { userName: 'agent@example.com.evil.test', displayName: 'Evil' }, sim.urls.api);
      const signed = decoded(response({ nameId: 'agent@example.com.evil.test', email: undefined }));
      const split = signed.replace('>agent@example.com.evil.test<', '>agent@example.com<!---->.evil.test<');
      const res = await post(toBase64(split));
      assert.equal(res.status, 302, res.text);
      assert.equal(sim.state.logins[0].userName, 'agent@example.com.evil.test');
    });
  });
});
