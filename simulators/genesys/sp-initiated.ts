import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { ApiError, type Ctx } from './http';
import { acsUrl } from './login';

/**
 * SP-initiated sign-in. Genesys's org login page (`https://login.<domain>/#/authenticate-adv/org/<short
 * name>`) is a single-page app; the simulator serves the same path without the `#` as plain HTML listing the
 * org's enabled identity providers. Choosing one sends the browser to the provider's Target URI with an
 * AuthnRequest over the HTTP-Redirect binding (the only SSO binding Genesys uses towards an IdP); the ACS
 * then accepts a response only if its InResponseTo names that request, once, within five minutes.
 */

const REQUEST_LIFETIME_MS = 5 * 60_000;
const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function html(ctx: Ctx, status: number, body: string) {
  const page = `<!doctype html><title>Genesys Cloud login</title>${body}`;
  ctx.res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
  ctx.res.end(page);
}

function requireOrg(ctx: Ctx): void {
  if (ctx.params.org !== ctx.state.org.thirdPartyOrgName) throw new ApiError(404, `Organization ${ctx.params.org} is not known here.`);
}

export function getOrgLogin(ctx: Ctx): void {
  requireOrg(ctx);
  const providers = [...ctx.state.identityProviders.values()].filter((p) => !p.disabled && p.ssoTargetURI);
  const links = providers.map((p) => `<li><a id="sso-${p.type}" href="/authenticate-adv/org/${esc(ctx.state.org.thirdPartyOrgName)}/sso/${p.type}">Sign in with ${esc(p.name)}</a></li>`).join('');
  html(ctx, 200, `<h1>Log in to ${esc(ctx.state.org.thirdPartyOrgName)}</h1><ul>${links || '<li>No single sign-on provider is configured.</li>'}</ul>`);
}

export function getOrgSso(ctx: Ctx): void {
  requireOrg(ctx);
  const type = ctx.params.type === 'cic' ? 'cic' : ctx.params.type === 'generic' ? 'generic' : undefined;
  const provider = type && ctx.state.identityProviders.get(type);
  if (!provider || provider.disabled || !provider.ssoTargetURI) throw new ApiError(404, `No enabled ${ctx.params.type} provider with a Target URI.`);
  const now = Date.now();
  for (const [k, r] of ctx.state.authnRequests) if (r.expiresAt <= now) ctx.state.authnRequests.delete(k);
  const id = `_${randomBytes(16).toString('hex')}`;
  ctx.state.authnRequests.set(id, { provider: provider.type, expiresAt: now + REQUEST_LIFETIME_MS });
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date(now).toISOString()}" Destination="${esc(provider.ssoTargetURI)}" AssertionConsumerServiceURL="${esc(acsUrl(ctx))}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">` +
    `<saml:Issuer>${esc(provider.relyingPartyIdentifier)}</saml:Issuer><samlp:NameIDPolicy AllowCreate="false"/></samlp:AuthnRequest>`;
  const target = new URL(provider.ssoTargetURI);
  target.searchParams.set('SAMLRequest', deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'));
  ctx.res.writeHead(302, { Location: target.toString(), 'Content-Length': 0 });
  ctx.res.end();
}
