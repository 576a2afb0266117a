import { randomUUID } from 'node:crypto';
import { ApiError, basicCredentials, formBody, send, type Ctx } from './http';
import { SamlError, verifySaml, type VerifiedAssertion } from './saml-verify';
import type { LoginRecord, OAuthClient, SimState } from './store';

/**
 * The login host: `/oauth/token` (client credentials; SAML2-bearer per RFC 7522 with Genesys's `orgName`)
 * and `/saml`, the assertion consumer service for IdP-initiated Web Browser SSO.
 */

export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';

export const acsUrl = (ctx: Ctx) => `${ctx.urls.login}/saml`;
export const tokenUrl = (ctx: Ctx) => `${ctx.urls.login}/oauth/token`;

/** Accepts standard and URL-safe base64 (RFC 7522 says base64url; Genesys documents base64). */
function decodeBase64(value: string, what: string, toError: (msg: string) => Error): string {
  const compact = value.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) throw toError(`${what} is not base64.`);
  return Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

function authenticateClient(ctx: Ctx): OAuthClient {
  const client = basicCredentials(ctx.req.headers.authorization)
    .map((c) => ctx.state.clients.get(c.id)?.secret === c.secret && ctx.state.clients.get(c.id))
    .find(Boolean);
  if (!client) {
    throw new ApiError(401, 'Client authentication failed: send the client id and secret with HTTP Basic.', {
      oauthError: 'invalid_client',
      headers: { 'WWW-Authenticate': 'Basic realm="login"' },
    });
  }
  return client;
}

/** The user an assertion names: the `email` attribute, else the NameID; must be an active user. */
function userFor(state: SimState, a: VerifiedAssertion, toError: (msg: string) => Error) {
  const email = a.attributes.email?.[0] || a.nameId;
  const user = state.directory.userByName(email);
  if (!user || !user.doc.active) throw toError(`No active user ${email} in this organization.`);
  return user;
}

function recordLogin(
  state: SimState,
  kind: LoginRecord['kind'],
  a: VerifiedAssertion,
  userId: string,
  userName: string,
  extra: Partial<LoginRecord>,
): LoginRecord {
  const login: LoginRecord = {
    id: randomUUID(),
    kind,
    at: new Date().toISOString(),
    userId,
    userName,
    issuer: a.issuer,
    assertionId: a.assertionId,
    provider: a.provider.type,
    ...extra,
  };
  state.logins.push(login);
  return login;
}

function tokenResponse(ctx: Ctx, clientId: string, userId?: string): void {
  const t = ctx.state.issueToken(clientId, userId);
  send(
    ctx,
    200,
    {
      access_token: t.token,
      token_type: 'bearer',
      expires_in: Math.round((t.expiresAt - t.issuedAt) / 1000),
    },
    { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  );
}

function samlBearerGrant(ctx: Ctx, client: OAuthClient, form: URLSearchParams): void {
  const grantError = (msg: string) => new ApiError(400, msg, { oauthError: 'invalid_grant' });
  const orgName = form.get('orgName');
  const assertion = form.get('assertion');
  if (!orgName || !assertion)
    throw new ApiError(400, 'orgName and assertion are required.', { oauthError: 'invalid_request' });
  if (orgName !== ctx.state.org.thirdPartyOrgName)
    throw grantError(`Organization ${orgName} is not known here.`);
  const xml = decodeBase64(assertion, 'assertion', grantError);
  let verified: VerifiedAssertion;
  try {
    verified = verifySaml(xml, {
      kind: 'assertion',
      providers: [...ctx.state.identityProviders.values()],
      recipient: tokenUrl(ctx),
      now: Date.now(),
      skewSeconds: ctx.state.settings.samlClockSkewSeconds,
    });
  } catch (err) {
    if (err instanceof SamlError) throw grantError(`${err.code}: ${err.message}`);
    throw err;
  }
  const org = verified.attributes.OrganizationName?.[0];
  if (org !== undefined && org !== orgName)
    throw grantError(`saml.organization: OrganizationName ${org} is not ${orgName}.`);
  const user = userFor(ctx.state, verified, (m) => grantError(`saml.user: ${m}`));
  if (!ctx.state.claimAssertionId(verified.assertionId, verified.expiresAt)) {
    throw grantError(`saml.replay: Assertion ${verified.assertionId} was already used.`);
  }
  recordLogin(ctx.state, 'saml2-bearer', verified, user.id, user.doc.userName, { clientId: client.id });
  tokenResponse(ctx, client.id, user.id);
}

export function postToken(ctx: Ctx): void {
  const form = formBody(ctx);
  const client = authenticateClient(ctx);
  const grant = form.get('grant_type');
  if (!grant) throw new ApiError(400, 'grant_type is required.', { oauthError: 'invalid_request' });
  const allowed = (g: OAuthClient['grantTypes'][number]) => {
    if (!client.grantTypes.includes(g)) {
      throw new ApiError(400, `This client is not authorized for the ${g} grant.`, {
        oauthError: 'unauthorized_client',
      });
    }
  };
  if (grant === 'client_credentials') {
    allowed('client_credentials');
    tokenResponse(ctx, client.id);
    return;
  }
  if (grant === SAML2_BEARER) {
    allowed('saml2-bearer');
    samlBearerGrant(ctx, client, form);
    return;
  }
  throw new ApiError(400, `grant_type ${grant} is not supported.`, { oauthError: 'unsupported_grant_type' });
}

/**
 * ACS: a verified, unreplayed assertion (unsolicited, or answering a request the login page sent) for an active user whose OrganizationName is this org records a
 * login and redirects (302) to ServiceName when it is a URL, else to a landing page on the login host.
 */
export function postAcs(ctx: Ctx): void {
  const form = formBody(ctx);
  const encoded = form.get('SAMLResponse');
  const fail = (status: 400 | 403, code: string, msg: string) => new ApiError(status, msg, { code });
  if (!encoded) throw fail(400, 'saml.malformed', 'SAMLResponse is required.');
  const xml = decodeBase64(encoded, 'SAMLResponse', (m) => fail(400, 'saml.malformed', m));
  let verified: VerifiedAssertion;
  try {
    verified = verifySaml(xml, {
      kind: 'response',
      providers: [...ctx.state.identityProviders.values()],
      recipient: acsUrl(ctx),
      destination: acsUrl(ctx),
      now: Date.now(),
      skewSeconds: ctx.state.settings.samlClockSkewSeconds,
      requestSent: (id, provider) => {
        const sent = ctx.state.authnRequests.get(id);
        return !!sent && sent.provider === provider.type && sent.expiresAt > Date.now();
      },
    });
  } catch (err) {
    if (err instanceof SamlError) throw fail(err.status, err.code, err.message);
    throw err;
  }
  const org = verified.attributes.OrganizationName?.[0];
  if (org !== ctx.state.org.thirdPartyOrgName) {
    throw fail(
      403,
      'saml.organization',
      `OrganizationName ${org ?? '(missing)'} is not ${ctx.state.org.thirdPartyOrgName}.`,
    );
  }
  const user = userFor(ctx.state, verified, (m) => fail(403, 'saml.user', m));
  if (!ctx.state.claimAssertionId(verified.assertionId, verified.expiresAt)) {
    throw fail(403, 'saml.replay', `Assertion ${verified.assertionId} was already used.`);
  }
  // A request is answered once; a second response to it is refused even with a fresh assertion.
  if (verified.inResponseTo && !ctx.state.authnRequests.delete(verified.inResponseTo)) {
    throw fail(403, 'saml.in_response_to', `Request ${verified.inResponseTo} was already answered.`);
  }
  const serviceName = verified.attributes.ServiceName?.[0];
  const login = recordLogin(ctx.state, 'acs', verified, user.id, user.doc.userName, {
    serviceName,
    relayState: form.get('RelayState') ?? undefined,
  });
  const location =
    serviceName && /^https?:\/\//i.test(serviceName)
      ? serviceName
      : `${ctx.urls.login}/saml/welcome?login=${login.id}`;
  ctx.res.writeHead(302, { Location: location, 'Content-Length': 0 });
  ctx.res.end();
}

export function getWelcome(ctx: Ctx): void {
  const login = ctx.state.logins.find((l) => l.id === ctx.query.get('login'));
  if (!login) throw new ApiError(404, 'Unknown login.');
  const esc = (v: string) => v.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><title>Signed in</title><p>Signed in to ${esc(ctx.state.org.thirdPartyOrgName)} as ${esc(login.userName)}.</p>`;
  ctx.res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
  });
  ctx.res.end(html);
}
