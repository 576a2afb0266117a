import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { NS_ASSERTION, NS_PROTOCOL } from './saml-verify';
import type { SigningCredentials } from './x509-self-signed';

export { createSigningCredentials, selfSignedCertificate, type SigningCredentials } from './x509-self-signed';

/**
 * Builders for SAML 2.0 assertions and responses signed the way a conforming IdP signs them (enveloped
 * RSA-SHA256 signature, exclusive C14N, placed right after Issuer), for tests of the simulator and of the
 * bridge's own IdP. Everything is plain strings so a test can tamper with the output before sending it.
 */

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface AssertionOptions {
  issuer: string;
  /** NameID; the login email. */
  nameId: string;
  audience: string;
  /** SubjectConfirmationData Recipient: the ACS URL, or the token endpoint for the SAML2-bearer grant. */
  recipient: string;
  email?: string;
  organizationName?: string;
  serviceName?: string;
  id?: string;
  now?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** Web SSO needs an AuthnStatement; on by default. */
  authnStatement?: boolean;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const newSamlId = () => `_${randomBytes(16).toString('hex')}`;

function attribute(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  return (
    `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">` +
    `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(value)}</saml:AttributeValue>` +
    `</saml:Attribute>`
  );
}

export function buildAssertionXml(o: AssertionOptions): string {
  const now = o.now ?? new Date();
  const notBefore = (o.notBefore ?? new Date(now.getTime() - 5_000)).toISOString();
  const notOnOrAfter = (o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const attrs =
    attribute('email', o.email) +
    attribute('OrganizationName', o.organizationName) +
    attribute('ServiceName', o.serviceName);
  return (
    `<saml:Assertion xmlns:saml="${NS_ASSERTION}" ID="${o.id ?? newSamlId()}" Version="2.0" IssueInstant="${now.toISOString()}">` +
    `<saml:Issuer>${esc(o.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(o.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${esc(o.recipient)}"/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">` +
    `<saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    (o.authnStatement === false
      ? ''
      : `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${newSamlId()}">` +
        `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
        `</saml:AuthnStatement>`) +
    (attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '') +
    `</saml:Assertion>`
  );
}

export interface ResponseOptions {
  destination: string;
  issuer: string;
  /** The (usually already signed) Assertion XML to embed. */
  assertionXml: string;
  id?: string;
  now?: Date;
  statusCode?: string;
}

export function buildResponseXml(o: ResponseOptions): string {
  const now = (o.now ?? new Date()).toISOString();
  return (
    `<samlp:Response xmlns:samlp="${NS_PROTOCOL}" xmlns:saml="${NS_ASSERTION}" ID="${o.id ?? newSamlId()}" Version="2.0" IssueInstant="${now}" Destination="${esc(o.destination)}">` +
    `<saml:Issuer>${esc(o.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${o.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
    o.assertionXml +
    `</samlp:Response>`
  );
}

/** Signs the document element (Assertion or Response) with an enveloped signature placed after its Issuer. */
export function signRootElement(xml: string, creds: SigningCredentials): string {
  const sig = new SignedXml({
    privateKey: creds.privateKeyPem,
    publicCert: creds.certificatePem,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({ xpath: '/*', transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

export const toBase64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

/** A base64 assertion for `grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer`. */
export function bearerAssertion(
  o: AssertionOptions & { credentials: SigningCredentials; sign?: boolean },
): string {
  const xml = buildAssertionXml(o);
  return toBase64(o.sign === false ? xml : signRootElement(xml, o.credentials));
}

/** A base64 SAMLResponse for the ACS; signs the assertion by default, the response when asked. */
export function samlResponse(
  o: AssertionOptions & {
    credentials: SigningCredentials;
    destination: string;
    signAssertion?: boolean;
    signResponse?: boolean;
  },
): string {
  const assertion = buildAssertionXml(o);
  const assertionXml = o.signAssertion === false ? assertion : signRootElement(assertion, o.credentials);
  const response = buildResponseXml({
    destination: o.destination,
    issuer: o.issuer,
    assertionXml,
    now: o.now,
  });
  return toBase64(o.signResponse ? signRootElement(response, o.credentials) : response);
}
