import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { startBridge, eventually, type BridgeHarness } from '../support/bridge-harness';
import { authnRequestXml, openSignInForm, postSignIn, postToAcs, redirectRequest, signInThroughOrg, startAtOrg } from '../support/sso-flow';
import { listUserStates } from '../../operations/directory';
import { ssoStates } from '../../db/sso-links';

/** SAML sign-in through the bridge's IdP, without a browser: the flow, its refusals and the throttle. */

let h: BridgeHarness;
let beforePairing: { status: number; html: string };
const PASSWORD = 'Agent-Pa55word!';
const agent = { username: 'agent.smith', password: PASSWORD };
const urls = () => ({ login: h.genesys.urls.login, bridge: h.bridgeUrl });
const cloudId = async (email: string) => (await h.cloudUsers()).find((u: any) => u.userName === email)?.id;
const acsLogins = () => h.genesys.state.logins.filter((l) => l.kind === 'acs').length;

before(async () => {
  h = await startBridge('sso_signin', { cic: { directory: { count: 6, seed: 5 } } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'agent.smith', password: PASSWORD, personalInformationProperties: { emailAddress: 'agent.smith@example.com', displayName: 'Agent Smith' } });
  await h.cicAdmin('POST', '/__admin/users', { id: 'no.mail', password: 'No-Mail-pass1', personalInformationProperties: { displayName: 'No Mail' } });
  const unpaired = await fetch(`${h.bridgeUrl}/saml/login`);
  beforePairing = { status: unpaired.status, html: await unpaired.text() };
  await h.pair();
  await eventually('the first sync pass', async () => (await listUserStates(h.db)).lastRun?.status === 'completed', 60_000);
  await eventually('agent.smith proved', async () => (await ssoStates(h.db, ['agent.smith'])).get('agent.smith')?.state === 'verified', 60_000);
});
after(async () => h?.stop());

test('before pairing the IdP answers 503 with the reason', () => {
  assert.equal(beforePairing.status, 503);
  assert.match(beforePairing.html, /not paired/);
});

test('SP-initiated: the org sends the browser to the bridge, CIC credentials sign the agent in as the linked cloud user', async () => {
  const { signIn, acs } = await signInThroughOrg(urls(), agent);
  assert.equal(signIn?.status, 200);
  assert.equal(signIn?.acsUrl, `${h.genesys.urls.login}/saml`, 'posted to the registered ACS');
  assert.equal(acs?.status, 302, acs?.body);
  assert.match(acs!.location!, /\/saml\/welcome\?login=/);
  const login = h.genesys.state.logins.at(-1)!;
  assert.equal(login.kind, 'acs');
  assert.equal(login.userId, await cloudId('agent.smith@example.com'));
  const welcome = await (await fetch(acs!.location!)).text();
  assert.match(welcome, /Signed in to demo-org as agent\.smith@example\.com/);
});

test('IdP-initiated with an app keyword in RelayState: ServiceName carries it', async () => {
  const form = await openSignInForm(`${h.bridgeUrl}/saml/login?RelayState=directory`);
  assert.equal(form.status, 200);
  const signIn = await postSignIn(h.bridgeUrl, form, agent);
  const acs = await postToAcs(signIn.acsUrl!, signIn.samlResponse!, signIn.relayState);
  assert.equal(acs.status, 302, acs.body);
  assert.equal(h.genesys.state.logins.at(-1)!.serviceName, 'directory');
});

test('HTTP-POST binding: the same AuthnRequest posted to the SSO URL is answered just as well', async () => {
  const redirect = new URL(await startAtOrg(h.genesys.urls.login));
  const xml = inflateRawSync(Buffer.from(redirect.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  const res = await fetch(`${h.bridgeUrl}/saml/sso`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLRequest: Buffer.from(xml).toString('base64') }).toString(),
  });
  const html = await res.text();
  assert.equal(res.status, 200, html);
  const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1];
  const signIn = await postSignIn(h.bridgeUrl, { cookie: res.headers.getSetCookie()[0].split(';')[0], pending: value('pending')!, csrf: value('csrf')! }, agent);
  const acs = await postToAcs(signIn.acsUrl!, signIn.samlResponse!);
  assert.equal(acs.status, 302, acs.body);
  assert.match(Buffer.from(signIn.samlResponse!, 'base64').toString('utf8'), new RegExp(`InResponseTo="${/ID="([^"]+)"/.exec(xml)![1]}"`));
});

test('a wrong password shows an error on the form and issues nothing', async () => {
  const before = acsLogins();
  const { signIn, acs } = await signInThroughOrg(urls(), { username: 'agent.smith', password: 'wrong-password' });
  assert.equal(signIn?.status, 401);
  assert.match(signIn!.html, /user name or password is wrong/);
  assert.match(signIn!.html, /name="password"/, 'the form is shown again');
  assert.equal(signIn?.samlResponse, undefined);
  assert.equal(acs, undefined);
  assert.equal(acsLogins(), before);
});

test('a CIC user who is not linked sees why, and gets no assertion', async () => {
  const { signIn } = await signInThroughOrg(urls(), { username: 'no.mail', password: 'No-Mail-pass1' });
  assert.equal(signIn?.status, 403);
  assert.match(signIn!.html, /not synced \(no business email\)/);
  assert.equal(signIn?.samlResponse, undefined);
});

test('refusals at the IdP: foreign ACS, foreign SP, long or foreign RelayState, DTD bomb, oversize, no CSRF cookie', async () => {
  const before = acsLogins();
  const audience = 'genesys.cloud.demo-org';
  const sso = (req: string, relay?: string) => `${h.bridgeUrl}/saml/sso?SAMLRequest=${encodeURIComponent(req)}${relay !== undefined ? `&RelayState=${encodeURIComponent(relay)}` : ''}`;
  const refused = async (url: string, status: number, reason: RegExp) => {
    const form = await openSignInForm(url);
    assert.equal(form.status, status, form.html);
    assert.match(form.html, reason);
    assert.equal(form.pending, undefined, 'no sign-in form is offered');
  };
  await refused(sso(redirectRequest(authnRequestXml({ issuer: audience, acs: 'https://evil.example.com/saml' }))), 403, /not the registered one/);
  await refused(sso(redirectRequest(authnRequestXml({ issuer: 'https://sp.evil.example.com' }))), 403, /not from the registered service provider/);
  await refused(sso(redirectRequest(authnRequestXml({ issuer: audience })), 'x'.repeat(81)), 400, /longer than 80 bytes/);
  await refused(sso(redirectRequest(authnRequestXml({ issuer: audience })), 'https://evil.example.com/x'), 400, /outside the organization/);
  const bomb =
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">&c;</saml:Issuer></samlp:AuthnRequest>`;
  await refused(sso(redirectRequest(bomb)), 400, /DTD or entity/);
  const huge = redirectRequest(authnRequestXml({ issuer: audience }).replace('</saml:Issuer>', `</saml:Issuer><!--${'a'.repeat(200_000)}-->`));
  await refused(sso(huge), 400, /size limit/);
  // A sign-in post without the browser's CSRF cookie (another site posting the form) is refused.
  const form = await openSignInForm(await startAtOrg(h.genesys.urls.login));
  const forged = await postSignIn(h.bridgeUrl, { ...form, cookie: undefined }, agent);
  assert.equal(forged.status, 403);
  assert.match(forged.html, /CSRF/);
  assert.equal(forged.samlResponse, undefined);
  const tampered = await postSignIn(h.bridgeUrl, { ...form, pending: `${form.pending}x` }, agent);
  assert.equal(tampered.status, 403, 'the CSRF token is bound to the sealed request');
  assert.equal(acsLogins(), before, 'nothing was issued');
});

test('refusals at the ACS: a replayed response, and an assertion for another audience', async () => {
  const { signIn, acs } = await signInThroughOrg(urls(), agent);
  assert.equal(acs?.status, 302);
  const replay = await postToAcs(signIn!.acsUrl!, signIn!.samlResponse!);
  assert.equal(replay.status, 403, 'a second answer to the same AuthnRequest');
  assert.match(replay.body, /saml\.in_response_to/);
  // Unsolicited (IdP-initiated), only the assertion id stops a replay.
  const unsolicited = await postSignIn(h.bridgeUrl, await openSignInForm(`${h.bridgeUrl}/saml/login`), agent);
  assert.equal((await postToAcs(unsolicited.acsUrl!, unsolicited.samlResponse!)).status, 302);
  const again = await postToAcs(unsolicited.acsUrl!, unsolicited.samlResponse!);
  assert.equal(again.status, 403);
  assert.match(again.body, /saml\.replay/);

  const idp = h.genesys.state.identityProviders.get('cic')!;
  const registered = idp.relyingPartyIdentifier;
  idp.relyingPartyIdentifier = 'genesys.cloud.some-other-org';
  try {
    const before = acsLogins();
    const form = await openSignInForm(`${h.bridgeUrl}/saml/login`);
    const other = await postSignIn(h.bridgeUrl, form, agent);
    const res = await postToAcs(other.acsUrl!, other.samlResponse!);
    assert.equal(res.status, 403);
    assert.match(res.body, /saml\.audience/);
    assert.equal(acsLogins(), before);
  } finally {
    idp.relyingPartyIdentifier = registered;
  }
});

test('failed sign-ins are throttled per user: over the limit the bridge answers 429 without asking CIC', async () => {
  const victim = { username: 'victim.user', password: 'wrong' };
  await h.cicAdmin('POST', '/__admin/users', { id: 'victim.user', password: 'Right-pass-1', personalInformationProperties: { emailAddress: 'victim@example.com' } });
  const connects = async () => (await h.cicAdmin('GET', '/__admin/requests')).total['POST /icws/connection'] ?? 0;
  for (let i = 0; i < 5; i++) {
    const form = await openSignInForm(`${h.bridgeUrl}/saml/login`);
    assert.equal((await postSignIn(h.bridgeUrl, form, victim)).status, 401);
  }
  const before = await connects();
  const form = await openSignInForm(`${h.bridgeUrl}/saml/login`);
  const blocked = await postSignIn(h.bridgeUrl, form, { ...victim, password: 'Right-pass-1' });
  assert.equal(blocked.status, 429);
  assert.match(blocked.html, /Too many failed sign-ins/);
  assert.equal(blocked.samlResponse, undefined);
  assert.equal(await connects(), before, 'CIC was not asked');
});
