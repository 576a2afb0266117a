import type { Document, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { child, children, countIds, descendants, parseXml as parse, SamlError, text } from './saml-xml';
import type { IdentityProvider } from './store';

export { SamlError } from './saml-xml';

/**
 * Verifies a SAML 2.0 Response (ACS, Web Browser SSO profile) or a bare Assertion (OAuth SAML2-bearer
 * grant, RFC 7522) against the certificates registered for the issuing identity provider.
 *
 * Signature wrapping is defeated by construction: there must be exactly one Assertion; a Signature may
 * only sit directly inside the Response or the Assertion and must reference its own parent by a unique ID;
 * only the registered certificates are tried (KeyInfo is ignored); and every value is read from the bytes
 * xml-crypto reports as signed, never from the document that was posted.
 */

export const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const NS_DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const DIGESTS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);
const C14N = new Set([
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);
const TRANSFORMS = new Set([...C14N, 'http://www.w3.org/2000/09/xmldsig#enveloped-signature']);

export interface SamlExpectations {
  kind: 'response' | 'assertion';
  providers: IdentityProvider[];
  /** SubjectConfirmationData Recipient: the ACS URL, or the token endpoint for the bearer grant. */
  recipient: string;
  /** Response Destination (ACS only). */
  destination?: string;
  now: number;
  skewSeconds: number;
  /** ACS only: whether this SP sent an AuthnRequest with this ID to this provider, still unanswered. */
  requestSent?: (id: string, provider: IdentityProvider) => boolean;
}

export interface VerifiedAssertion {
  provider: IdentityProvider;
  assertionId: string;
  issuer: string;
  nameId: string;
  attributes: Record<string, string[]>;
  /** Latest instant the assertion may be used; the replay cache keeps its id until then. */
  expiresAt: number;
  /** The AuthnRequest this answers (SP-initiated), already checked against `requestSent`. */
  inResponseTo?: string;
}

const malformed = (msg: string) => new SamlError(400, 'saml.malformed', msg);
const refused = (code: string, msg: string) => new SamlError(403, code, msg);

/** Checks one enveloped signature over `owner` and returns the signed element, re-parsed from the signed bytes. */
function verifySignature(xml: string, doc: Document, owner: Element, sig: Element, certs: string[]): Element {
  const signedInfo = child(sig, NS_DSIG, 'SignedInfo');
  if (!signedInfo) throw malformed('Signature has no SignedInfo.');
  const method = child(signedInfo, NS_DSIG, 'SignatureMethod')?.getAttribute('Algorithm');
  if (method !== RSA_SHA256)
    throw refused(
      'saml.signature.algorithm',
      `Signature algorithm ${method} is not accepted; use RSA-SHA256.`,
    );
  const c14n = child(signedInfo, NS_DSIG, 'CanonicalizationMethod')?.getAttribute('Algorithm') ?? '';
  if (!C14N.has(c14n)) throw refused('saml.signature.algorithm', `Canonicalization ${c14n} is not accepted.`);
  const refs = children(signedInfo, NS_DSIG, 'Reference');
  if (refs.length !== 1)
    throw refused('saml.signature.invalid', 'The signature must hold exactly one Reference.');
  const id = owner.getAttribute('ID');
  if (!id || refs[0].getAttribute('URI') !== `#${id}`) {
    throw refused('saml.signature.invalid', `The signature does not reference its ${owner.localName}.`);
  }
  if (countIds(doc, id) !== 1) throw refused('saml.signature.invalid', `ID ${id} appears more than once.`);
  const digest = child(refs[0], NS_DSIG, 'DigestMethod')?.getAttribute('Algorithm') ?? '';
  if (!DIGESTS.has(digest))
    throw refused('saml.signature.algorithm', `Digest ${digest} is not accepted; use SHA-256.`);
  const transforms = child(refs[0], NS_DSIG, 'Transforms');
  for (const t of transforms ? children(transforms, NS_DSIG, 'Transform') : []) {
    if (!TRANSFORMS.has(t.getAttribute('Algorithm') ?? '')) {
      throw refused('saml.signature.algorithm', `Transform ${t.getAttribute('Algorithm')} is not accepted.`);
    }
  }
  for (const cert of certs) {
    const verifier = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    try {
      verifier.loadSignature(sig as any);
      if (!verifier.checkSignature(xml)) continue;
    } catch {
      continue;
    }
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1) continue;
    const root = parse(signed[0]).documentElement;
    if (
      !root ||
      root.namespaceURI !== owner.namespaceURI ||
      root.localName !== owner.localName ||
      root.getAttribute('ID') !== id
    ) {
      throw refused(
        'saml.signature.invalid',
        'The signed bytes are not the element that carries the signature.',
      );
    }
    return root;
  }
  throw refused('saml.signature.invalid', 'The signature does not verify with any registered certificate.');
}

function checkTime(
  attr: string | null,
  cmp: 'before' | 'after',
  now: number,
  skewMs: number,
  what: string,
): number | undefined {
  if (!attr) return undefined;
  const t = Date.parse(attr);
  if (Number.isNaN(t)) throw malformed(`${what} is not a date-time.`);
  if (cmp === 'before' && now + skewMs < t)
    throw refused('saml.not_yet_valid', `${what} ${attr} is in the future.`);
  if (cmp === 'after' && now - skewMs >= t) throw refused('saml.expired', `${what} ${attr} has passed.`);
  return t;
}

function readAssertion(a: Element, provider: IdentityProvider, exp: SamlExpectations): VerifiedAssertion {
  const skew = exp.skewSeconds * 1000;
  if (a.getAttribute('Version') !== '2.0') throw malformed('Assertion Version must be 2.0.');
  const assertionId = a.getAttribute('ID') ?? '';
  const issuer = text(child(a, NS_ASSERTION, 'Issuer'));
  if (issuer !== provider.issuerURI)
    throw refused('saml.issuer', `Issuer ${issuer} is not the registered ${provider.issuerURI}.`);
  checkTime(a.getAttribute('IssueInstant'), 'before', exp.now, skew, 'IssueInstant');
  const subject = child(a, NS_ASSERTION, 'Subject');
  const nameId = text(subject && child(subject, NS_ASSERTION, 'NameID'));
  if (!nameId) throw malformed('The assertion has no Subject NameID.');
  const conditions = child(a, NS_ASSERTION, 'Conditions');
  if (!conditions) throw refused('saml.audience', 'The assertion has no Conditions/AudienceRestriction.');
  checkTime(conditions.getAttribute('NotBefore'), 'before', exp.now, skew, 'Conditions NotBefore');
  const conditionsUntil = checkTime(
    conditions.getAttribute('NotOnOrAfter'),
    'after',
    exp.now,
    skew,
    'Conditions NotOnOrAfter',
  );
  const restrictions = children(conditions, NS_ASSERTION, 'AudienceRestriction');
  if (!restrictions.length) throw refused('saml.audience', 'The assertion has no AudienceRestriction.');
  for (const r of restrictions) {
    const audiences = children(r, NS_ASSERTION, 'Audience').map((x) => text(x));
    if (!audiences.includes(provider.relyingPartyIdentifier)) {
      throw refused(
        'saml.audience',
        `Audience ${audiences.join(', ')} does not include ${provider.relyingPartyIdentifier}.`,
      );
    }
  }
  // Web SSO needs SubjectConfirmationData with Recipient and NotOnOrAfter; RFC 7522 lets the Conditions
  // NotOnOrAfter stand in for the expiry and the data element, but a Recipient present must still match.
  const conditionsExpire = exp.kind === 'assertion' && conditionsUntil !== undefined;
  const bearers = (subject ? children(subject, NS_ASSERTION, 'SubjectConfirmation') : []).filter(
    (sc) => sc.getAttribute('Method') === BEARER,
  );
  if (!bearers.length)
    throw refused('saml.subject_confirmation', 'The assertion has no bearer SubjectConfirmation.');
  let expiresAt = conditionsUntil === undefined ? Infinity : conditionsUntil + skew;
  const problems: SamlError[] = [];
  let subjectInResponseTo: string | undefined;
  const confirmed = bearers.some((sc) => {
    try {
      const data = child(sc, NS_ASSERTION, 'SubjectConfirmationData');
      if (!data) {
        if (conditionsExpire) return true;
        throw refused('saml.subject_confirmation', 'SubjectConfirmationData is missing.');
      }
      const irt = data.getAttribute('InResponseTo');
      if (irt) {
        if (exp.kind !== 'response' || !exp.requestSent?.(irt, provider)) {
          throw refused('saml.in_response_to', 'InResponseTo names a request this service provider never sent.');
        }
        subjectInResponseTo = irt;
      }
      const recipient = data.getAttribute('Recipient');
      if (recipient !== exp.recipient)
        throw refused('saml.recipient', `Recipient ${recipient} is not ${exp.recipient}.`);
      checkTime(data.getAttribute('NotBefore'), 'before', exp.now, skew, 'SubjectConfirmationData NotBefore');
      const until = checkTime(
        data.getAttribute('NotOnOrAfter'),
        'after',
        exp.now,
        skew,
        'SubjectConfirmationData NotOnOrAfter',
      );
      if (until === undefined && !conditionsExpire) {
        throw refused('saml.subject_confirmation', 'SubjectConfirmationData needs NotOnOrAfter.');
      }
      if (until !== undefined) expiresAt = Math.min(expiresAt, until + skew);
      return true;
    } catch (err) {
      problems.push(err as SamlError);
      return false;
    }
  });
  if (!confirmed) throw problems[0];
  if (exp.kind === 'response' && !children(a, NS_ASSERTION, 'AuthnStatement').length) {
    throw refused('saml.authn_statement', 'The Web SSO profile needs an AuthnStatement.');
  }
  const attributes: Record<string, string[]> = {};
  for (const st of children(a, NS_ASSERTION, 'AttributeStatement')) {
    for (const at of children(st, NS_ASSERTION, 'Attribute')) {
      const name = at.getAttribute('Name') ?? '';
      attributes[name] = [
        ...(attributes[name] ?? []),
        ...children(at, NS_ASSERTION, 'AttributeValue').map((v) => text(v)),
      ];
    }
  }
  return { provider, assertionId, issuer, nameId, attributes, expiresAt, inResponseTo: subjectInResponseTo };
}

export function verifySaml(xml: string, exp: SamlExpectations): VerifiedAssertion {
  const doc = parse(xml);
  const root = doc.documentElement;
  if (!root) throw malformed('The document is empty.');
  if (descendants(doc, NS_ASSERTION, 'EncryptedAssertion').length) {
    throw malformed('Encrypted assertions are not supported by Genesys Cloud.');
  }
  const assertions = descendants(doc, NS_ASSERTION, 'Assertion');
  if (assertions.length !== 1) throw malformed(`Expected exactly one Assertion, found ${assertions.length}.`);
  const assertion = assertions[0];
  const isResponse = root.namespaceURI === NS_PROTOCOL && root.localName === 'Response';
  if (exp.kind === 'response' ? !isResponse : root !== assertion) {
    throw malformed(
      exp.kind === 'response'
        ? 'The message is not a samlp:Response.'
        : 'The assertion must be the document root.',
    );
  }
  if (isResponse && assertion.parentNode !== root)
    throw malformed('The Assertion must be a direct child of the Response.');
  const allowed = new Set<Element>();
  const responseSig = isResponse ? child(root, NS_DSIG, 'Signature') : undefined;
  const assertionSig = child(assertion, NS_DSIG, 'Signature');
  if (responseSig) allowed.add(responseSig);
  if (assertionSig) allowed.add(assertionSig);
  for (const s of descendants(doc, NS_DSIG, 'Signature')) {
    if (!allowed.has(s))
      throw refused('saml.signature.invalid', 'A Signature appears where none is allowed.');
  }
  if (!responseSig && !assertionSig)
    throw refused('saml.unsigned', 'Neither the Response nor the Assertion is signed.');

  const claimedIssuer = text(child(assertion, NS_ASSERTION, 'Issuer'));
  const provider = exp.providers.find((p) => p.issuerURI === claimedIssuer);
  if (!provider)
    throw refused('saml.issuer', `No identity provider is registered for issuer ${claimedIssuer}.`);
  if (provider.disabled)
    throw refused('saml.idp_disabled', `The ${provider.type} identity provider is disabled.`);

  let signedResponse: Element | undefined;
  let signedAssertion: Element | undefined;
  if (responseSig) signedResponse = verifySignature(xml, doc, root, responseSig, provider.certificates);
  if (assertionSig)
    signedAssertion = verifySignature(xml, doc, assertion, assertionSig, provider.certificates);
  if (signedResponse) {
    const inner = children(signedResponse, NS_ASSERTION, 'Assertion');
    if (inner.length !== 1)
      throw refused('saml.signature.invalid', 'The signed Response does not hold exactly one Assertion.');
    signedAssertion = inner[0];
  }
  if (isResponse) {
    const trusted = signedResponse ?? root;
    const status = child(trusted, NS_PROTOCOL, 'Status');
    const code = status && child(status, NS_PROTOCOL, 'StatusCode')?.getAttribute('Value');
    if (code !== SUCCESS) throw refused('saml.status', `Response status is ${code ?? 'missing'}.`);
    const destination = trusted.getAttribute('Destination');
    if (destination ? destination !== exp.destination : signedResponse !== undefined) {
      throw refused(
        'saml.destination',
        `Destination ${destination ?? '(missing)'} is not ${exp.destination}.`,
      );
    }
    const responseIssuer = child(trusted, NS_ASSERTION, 'Issuer');
    if (responseIssuer && text(responseIssuer) !== provider.issuerURI) {
      throw refused('saml.issuer', `Response Issuer ${text(responseIssuer)} is not ${provider.issuerURI}.`);
    }
    // Unsolicited (IdP-initiated) responses carry no InResponseTo; a solicited one must answer a request
    // this SP sent to this provider (SAML profiles §4.1.4.2), the same one its subject confirmation names.
    const irt = trusted.getAttribute('InResponseTo');
    if (irt && !exp.requestSent?.(irt, provider)) {
      throw refused('saml.in_response_to', 'InResponseTo names a request this service provider never sent.');
    }
    const read = readAssertion(signedAssertion!, provider, exp);
    if (irt && read.inResponseTo && read.inResponseTo !== irt) {
      throw refused('saml.in_response_to', 'The Response and its subject confirmation answer different requests.');
    }
    return { ...read, inResponseTo: irt || read.inResponseTo };
  }
  return readAssertion(signedAssertion!, provider, exp);
}
