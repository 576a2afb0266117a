import { X509Certificate } from 'node:crypto';
import { ApiError, isRecord, jsonBody, send, sendNoContent, type Ctx } from './http';
import type { IdentityProvider, SimState } from './store';

/**
 * The org's SAML identity providers: the generic SSO provider (`/api/v2/identityproviders/generic`, model
 * GenericSAML) and the dedicated PureConnect one (`/cic`). Certificates may be PEM or bare base64 DER, at
 * most five; each must parse as X.509. The audience an assertion must carry is `relyingPartyIdentifier`.
 */

const MAX_CERTS = 5;

function toPem(input: string): string {
  const trimmed = input.trim();
  const pem = trimmed.includes('-----BEGIN CERTIFICATE-----')
    ? trimmed
    : `-----BEGIN CERTIFICATE-----\n${trimmed
        .replace(/\s+/g, '')
        .replace(/(.{64})/g, '$1\n')
        .trimEnd()}\n-----END CERTIFICATE-----`;
  try {
    return new X509Certificate(pem).toString();
  } catch {
    throw new ApiError(400, 'A certificate is not a valid X.509 certificate (PEM or base64 DER).');
  }
}

function optionalString(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError(400, `${name} must be a string.`);
  return v;
}

export function registerIdentityProvider(
  state: SimState,
  type: 'generic' | 'cic',
  body: unknown,
): IdentityProvider {
  if (!isRecord(body)) throw new ApiError(400, 'The identity provider must be a JSON object.');
  const issuerURI = optionalString(body.issuerURI, 'issuerURI');
  if (!issuerURI) throw new ApiError(400, 'issuerURI is required.');
  const relyingPartyIdentifier = optionalString(body.relyingPartyIdentifier, 'relyingPartyIdentifier');
  if (!relyingPartyIdentifier) throw new ApiError(400, 'relyingPartyIdentifier (the audience) is required.');
  const raw: string[] = [];
  const single = optionalString(body.certificate, 'certificate');
  if (single) raw.push(single);
  if (body.certificates !== undefined) {
    if (!Array.isArray(body.certificates) || body.certificates.some((c) => typeof c !== 'string')) {
      throw new ApiError(400, 'certificates must be an array of strings.');
    }
    raw.push(...(body.certificates as string[]));
  }
  const certificates = [...new Set(raw.map(toPem))];
  if (certificates.length === 0) throw new ApiError(400, 'At least one certificate is required.');
  if (certificates.length > MAX_CERTS)
    throw new ApiError(400, `At most ${MAX_CERTS} certificates may be registered.`);
  if (body.disabled !== undefined && typeof body.disabled !== 'boolean')
    throw new ApiError(400, 'disabled must be a boolean.');
  const idp: IdentityProvider = {
    type,
    name: optionalString(body.name, 'name') ?? (type === 'cic' ? 'PureConnect' : 'Generic SSO'),
    disabled: body.disabled === true,
    issuerURI,
    ssoTargetURI: optionalString(body.ssoTargetURI, 'ssoTargetURI'),
    sloURI: optionalString(body.sloURI, 'sloURI'),
    relyingPartyIdentifier,
    certificates,
    nameIdentifierFormat: optionalString(body.nameIdentifierFormat, 'nameIdentifierFormat'),
    modifiedDate: new Date().toISOString(),
  };
  state.identityProviders.set(type, idp);
  return idp;
}

export function renderIdentityProvider(idp: IdentityProvider) {
  return {
    id: idp.type,
    name: idp.name,
    disabled: idp.disabled,
    issuerURI: idp.issuerURI,
    ssoTargetURI: idp.ssoTargetURI,
    sloURI: idp.sloURI,
    relyingPartyIdentifier: idp.relyingPartyIdentifier,
    certificate: idp.certificates[0],
    certificates: idp.certificates,
    nameIdentifierFormat: idp.nameIdentifierFormat,
    selfUri: `/api/v2/identityproviders/${idp.type}`,
  };
}

const typeOf = (ctx: Ctx) => (ctx.template.endsWith('/cic') ? 'cic' : 'generic');

export function listIdentityProviders(ctx: Ctx): void {
  const entities = [...ctx.state.identityProviders.values()].map(renderIdentityProvider);
  send(ctx, 200, {
    entities,
    pageSize: entities.length,
    pageNumber: 1,
    total: entities.length,
    pageCount: 1,
  });
}

export function getIdentityProvider(ctx: Ctx): void {
  const idp = ctx.state.identityProviders.get(typeOf(ctx));
  if (!idp) throw new ApiError(404, `No ${typeOf(ctx)} identity provider is configured.`);
  send(ctx, 200, renderIdentityProvider(idp));
}

export function putIdentityProvider(ctx: Ctx): void {
  send(ctx, 200, renderIdentityProvider(registerIdentityProvider(ctx.state, typeOf(ctx), jsonBody(ctx))));
}

export function deleteIdentityProvider(ctx: Ctx): void {
  if (!ctx.state.identityProviders.delete(typeOf(ctx))) {
    throw new ApiError(404, `No ${typeOf(ctx)} identity provider is configured.`);
  }
  sendNoContent(ctx);
}
