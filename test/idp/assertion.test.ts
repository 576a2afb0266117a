import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { samlResponse, signedAssertion, signingKey } from '../../idp/assertion';
import { checkRelayState, readAuthnRequest } from '../../idp/authn-request';
import { idpSettings } from '../../idp/sp-settings';
import { checkKeyMaterial } from '../../idp/keys';
import { createSigningCredentials } from '../../lib/x509-self-signed';
import { verifySaml } from '../../simulators/genesys/saml-verify';

/** The IdP's pure parts: what an assertion holds and how it is signed, and how requests are read. */

const creds = createSigningCredentials();
const key = signingKey(creds.privateKeyPem, creds.certificatePem);
const sp = idpSettings({ orgShortName: 'acme', loginUrl: 'https://login.mypurecloud.ie', apiUrl: 'https://api.mypurecloud.ie', regionDomain: 'mypurecloud.ie' }, 'https://bridge.acme.example');
const input = { issuer: sp.issuer, email: 'ada@acme.example', orgShortName: 'acme', audience: sp.audience, recipient: sp.acsUrl, authnStatement: true, serviceName: 'directory' };
const provider = {
  type: 'cic' as const,
  name: 'PureConnect',
  disabled: false,
  issuerURI: sp.issuer,
  relyingPartyIdentifier: sp.audience,
  certificates: [new X509Certificate(creds.certificatePem).toString()],
  modifiedDate: '',
};

test('a Response for the ACS: signed assertion with email NameID, the three attributes, audience and recipient', () => {
  const now = Date.now();
  const { base64, assertionId } = samlResponse(input, key);
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  assert.match(xml, /<saml:NameID Format="urn:oasis:names:tc:SAML:1\.1:nameid-format:emailAddress">ada@acme\.example<\/saml:NameID>/);
  assert.match(xml, /Destination="https:\/\/login\.mypurecloud\.ie\/saml"/);
  assert.match(xml, /SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
  assert.match(xml, /CanonicalizationMethod Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"/);
  // Checked by the simulator's verifier, which reads everything from the signed bytes only.
  const v = verifySaml(xml, { kind: 'response', providers: [provider], recipient: sp.acsUrl, destination: sp.acsUrl, now, skewSeconds: 10 });
  assert.equal(v.assertionId, assertionId);
  assert.equal(v.nameId, 'ada@acme.example');
  assert.deepEqual(v.attributes, { email: ['ada@acme.example'], OrganizationName: ['acme'], ServiceName: ['directory'] });
  // Inside the 10 s skew budget: a Genesys clock 9 s behind ours accepts it too.
  const behind = samlResponse(input, key);
  verifySaml(Buffer.from(behind.base64, 'base64').toString('utf8'), { kind: 'response', providers: [provider], recipient: sp.acsUrl, destination: sp.acsUrl, now: now - 9_000, skewSeconds: 10 });
});

test('the signature is an xml-crypto enveloped signature that fails once a byte of the assertion changes', () => {
  const { xml } = signedAssertion({ ...input, recipient: sp.tokenUrl, authnStatement: false }, key);
  const check = (doc: string) => {
    const sig = new SignedXml({ publicCert: creds.certificatePem });
    sig.loadSignature(/<ds:Signature[\s\S]*<\/ds:Signature>/.exec(doc)![0]);
    return sig.checkSignature(doc);
  };
  assert.equal(check(xml), true);
  const tampered = xml.replace('ada@acme.example</saml:NameID>', 'eve@acme.example</saml:NameID>');
  assert.notEqual(tampered, xml);
  let verdict: unknown;
  try {
    verdict = check(tampered);
  } catch (err) {
    verdict = err;
  }
  assert.notEqual(verdict, true, 'a changed NameID no longer verifies');
  assert.doesNotMatch(xml, /AuthnStatement/, 'the bearer grant needs none');
});

test('AuthnRequests: both bindings, the registered SP only, the registered ACS only, size and DTD limits', () => {
  const req = (extra = '', issuer = sp.audience) =>
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"${extra}><saml:Issuer>${issuer}</saml:Issuer></samlp:AuthnRequest>`;
  const redirect = (xml: string) => deflateRawSync(Buffer.from(xml)).toString('base64');
  const post = (xml: string) => Buffer.from(xml).toString('base64');
  assert.deepEqual(readAuthnRequest(redirect(req()), 'redirect', sp), { id: '_r1', issuer: sp.audience });
  assert.equal(readAuthnRequest(post(req(` AssertionConsumerServiceURL="${sp.acsUrl}"`)), 'post', sp).id, '_r1');
  const status = (f: () => unknown) => {
    try {
      f();
      return 0;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  assert.equal(status(() => readAuthnRequest(post(req(' AssertionConsumerServiceURL="https://evil.example/saml"')), 'post', sp)), 403);
  assert.equal(status(() => readAuthnRequest(post(req('', 'urn:other-sp')), 'post', sp)), 403);
  assert.equal(status(() => readAuthnRequest(post(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${req()}`), 'post', sp)), 400);
  assert.equal(status(() => readAuthnRequest('A'.repeat(20_000), 'post', sp)), 413);
  assert.equal(status(() => readAuthnRequest(post('<not-saml/>'), 'post', sp)), 400);
});

test('RelayState: an app keyword or a URL on the org’s hosts, 80 bytes at most', () => {
  assert.equal(checkRelayState('directory', sp), 'directory');
  assert.equal(checkRelayState('https://apps.mypurecloud.ie/directory/#/person', sp), 'https://apps.mypurecloud.ie/directory/#/person');
  assert.equal(checkRelayState(undefined, sp), undefined);
  assert.throws(() => checkRelayState('https://evil.example/x', sp), /outside the organization/);
  assert.throws(() => checkRelayState('http://apps.mypurecloud.ie/x', sp), /outside the organization/);
  assert.throws(() => checkRelayState('javascript:alert(1)', sp), /outside the organization/);
  assert.throws(() => checkRelayState(`https://apps.mypurecloud.ie/${'a'.repeat(60)}`, sp), /longer than 80 bytes/);
});

test('an imported key must be RSA of 2048 bits or more, current, and match its certificate', () => {
  assert.ok(checkKeyMaterial(creds).notAfter > new Date());
  const other = createSigningCredentials();
  assert.throws(() => checkKeyMaterial({ privateKeyPem: creds.privateKeyPem, certificatePem: other.certificatePem }), /does not belong/);
  const small = createSigningCredentials({ modulusLength: 1024 });
  assert.throws(() => checkKeyMaterial(small), /at least 2048/);
  const expired = createSigningCredentials({ notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  assert.throws(() => checkKeyMaterial(expired), /expired/);
  assert.throws(() => checkKeyMaterial({ privateKeyPem: 'nope', certificatePem: creds.certificatePem }), /not a PEM private key/);
});
