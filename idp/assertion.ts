import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

/**
 * SAML 2.0 assertions and responses as the bridge issues them: NameID = business email, attributes `email`,
 * `OrganizationName` and optional `ServiceName`, bearer confirmation for one recipient, an audience
 * restriction, a validity window well inside Genesys's 10 s skew budget at the start and a short life. The
 * assertion carries an enveloped RSA-SHA256 signature with exclusive C14N, made by xml-crypto.
 */

const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

/** Backdating NotBefore covers a Genesys clock up to this far behind ours (the budget is 10 s). */
const NOT_BEFORE_BACKDATE_MS = 5_000;
export const ASSERTION_LIFETIME_MS = 120_000;

export interface AssertionInput {
  issuer: string;
  email: string;
  orgShortName: string;
  audience: string;
  recipient: string;
  serviceName?: string;
  inResponseTo?: string;
  /** Web SSO (the ACS) needs an AuthnStatement; the SAML2-bearer grant does not. */
  authnStatement: boolean;
  now?: Date;
}

export interface SigningKey {
  privateKey: KeyObject;
  certificatePem: string;
  /** The KeyInfo content, made once: xml-crypto would otherwise re-parse the certificate for every signature. */
  keyInfo: string;
}

/** Parses the key and certificate once, so each signature costs the RSA operation and the canonicalisation only. */
export function signingKey(privateKeyPem: string, certificatePem: string): SigningKey {
  const der = certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return { privateKey: createPrivateKey(privateKeyPem), certificatePem, keyInfo: `<ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data>` };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const newSamlId = () => `_${randomBytes(20).toString('hex')}`;

function attribute(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  return (
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">` +
    `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(value)}</saml:AttributeValue>` +
    `</saml:Attribute>`
  );
}

export function buildAssertion(a: AssertionInput): { id: string; xml: string; notOnOrAfter: Date } {
  const now = a.now ?? new Date();
  const id = newSamlId();
  const notBefore = new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS).toISOString();
  const notOnOrAfter = new Date(now.getTime() + ASSERTION_LIFETIME_MS);
  const inResponseTo = a.inResponseTo ? ` InResponseTo="${esc(a.inResponseTo)}"` : '';
  const xml =
    `<saml:Assertion xmlns:saml="${NS_ASSERTION}" ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}">` +
    `<saml:Issuer>${esc(a.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(a.email)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter.toISOString()}" Recipient="${esc(a.recipient)}"${inResponseTo}/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter.toISOString()}">` +
    `<saml:AudienceRestriction><saml:Audience>${esc(a.audience)}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    (a.authnStatement
      ? `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${newSamlId()}">` +
        `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
        `</saml:AuthnStatement>`
      : '') +
    `<saml:AttributeStatement>${attribute('email', a.email)}${attribute('OrganizationName', a.orgShortName)}${attribute('ServiceName', a.serviceName)}</saml:AttributeStatement>` +
    `</saml:Assertion>`;
  return { id, xml, notOnOrAfter };
}

/** An enveloped signature over the document element, placed right after its Issuer (SAML core §5.4.1). */
export function signRoot(xml: string, key: SigningKey): string {
  const sig = new SignedXml({
    privateKey: key.privateKey,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: () => key.keyInfo,
  });
  sig.addReference({ xpath: '/*', transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  // Issuer is the first child of both elements we build (the schema puts it first); a positional step spares
  // xpath a function call per node.
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: '/*/*[1]', action: 'after' } });
  return sig.getSignedXml();
}

export function signedAssertion(a: AssertionInput, key: SigningKey) {
  const built = buildAssertion(a);
  return { ...built, xml: signRoot(built.xml, key) };
}

/** A Response for the ACS around a signed assertion; Destination is the ACS, as SAML bindings §3.5.5.2 asks. */
export function samlResponse(a: AssertionInput, key: SigningKey): { assertionId: string; base64: string } {
  const assertion = signedAssertion(a, key);
  const now = (a.now ?? new Date()).toISOString();
  const inResponseTo = a.inResponseTo ? ` InResponseTo="${esc(a.inResponseTo)}"` : '';
  const xml =
    `<samlp:Response xmlns:samlp="${NS_PROTOCOL}" xmlns:saml="${NS_ASSERTION}" ID="${newSamlId()}" Version="2.0" IssueInstant="${now}" Destination="${esc(a.recipient)}"${inResponseTo}>` +
    `<saml:Issuer>${esc(a.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion.xml +
    `</samlp:Response>`;
  return { assertionId: assertion.id, base64: Buffer.from(xml, 'utf8').toString('base64') };
}
