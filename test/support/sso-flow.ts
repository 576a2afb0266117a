import { deflateRawSync } from 'node:zlib';

/**
 * A browser's part in SAML sign-in, done with fetch: follow the org login page to the bridge, read the
 * sign-in form (its sealed fields and CSRF cookie), post credentials, and post the answer to the ACS.
 */

const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
const field = (html: string, name: string) => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? unescape(m[1]) : undefined;
};

export interface SignInResult {
  /** Status of the bridge's answer to the posted form. */
  status: number;
  html: string;
  samlResponse?: string;
  relayState?: string;
  acsUrl?: string;
}

export async function openSignInForm(url: string): Promise<{ status: number; html: string; cookie?: string; pending?: string; csrf?: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  const html = await res.text();
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0])[0];
  return { status: res.status, html, cookie, pending: field(html, 'pending'), csrf: field(html, 'csrf') };
}

export async function postSignIn(bridgeUrl: string, form: { cookie?: string; pending?: string; csrf?: string }, creds: { username: string; password: string }): Promise<SignInResult> {
  const res = await fetch(`${bridgeUrl}/saml/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(form.cookie ? { cookie: form.cookie } : {}) },
    body: new URLSearchParams({ pending: form.pending ?? '', csrf: form.csrf ?? '', username: creds.username, password: creds.password }).toString(),
  });
  const html = await res.text();
  const action = /<form method="post" action="([^"]*)" id="saml">/.exec(html);
  return { status: res.status, html, samlResponse: field(html, 'SAMLResponse'), relayState: field(html, 'RelayState'), acsUrl: action ? unescape(action[1]) : undefined };
}

/** Where the org's login page sends the browser for the PureConnect provider (the bridge's SSO URL with a SAMLRequest). */
export async function startAtOrg(loginUrl: string, org = 'demo-org'): Promise<string> {
  const res = await fetch(`${loginUrl}/authenticate-adv/org/${org}/sso/cic`, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`org login answered ${res.status}: ${await res.text()}`);
  return res.headers.get('location')!;
}

export async function postToAcs(acsUrl: string, samlResponse: string, relayState?: string) {
  const res = await fetch(acsUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: samlResponse, ...(relayState ? { RelayState: relayState } : {}) }).toString(),
  });
  return { status: res.status, location: res.headers.get('location') ?? undefined, body: await res.text() };
}

/** The whole SP-initiated flow; `acs` is absent when the bridge issued nothing. */
export async function signInThroughOrg(urls: { login: string; bridge: string }, creds: { username: string; password: string }, relayState?: string) {
  let ssoUrl = await startAtOrg(urls.login);
  if (relayState !== undefined) ssoUrl += `&RelayState=${encodeURIComponent(relayState)}`;
  const form = await openSignInForm(ssoUrl);
  if (form.status !== 200) return { form, signIn: undefined, acs: undefined };
  const signIn = await postSignIn(urls.bridge, form, creds);
  const acs = signIn.samlResponse && signIn.acsUrl ? await postToAcs(signIn.acsUrl, signIn.samlResponse, signIn.relayState) : undefined;
  return { form, signIn, acs };
}

/** An AuthnRequest of the test's own making, encoded for the HTTP-Redirect binding. */
export function redirectRequest(xml: string): string {
  return deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');
}

export function authnRequestXml(o: { issuer: string; acs?: string; id?: string }): string {
  return (
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.id ?? '_t' + Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString()}"` +
    (o.acs ? ` AssertionConsumerServiceURL="${o.acs}"` : '') +
    `><saml:Issuer>${o.issuer}</saml:Issuer></samlp:AuthnRequest>`
  );
}
