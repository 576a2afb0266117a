import { inflateRawSync } from 'node:zlib';
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { IdpSettings } from './sp-settings';

/** A request the IdP refuses; `status` is the HTTP status, the message is shown to the user as is. */
export class SsoRequestError extends Error {
  override name = 'SsoRequestError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 429 | 503,
    message: string,
  ) {
    super(message);
  }
}

const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const MAX_ENCODED_REQUEST = 16 * 1024;
export const MAX_REQUEST_XML = 32 * 1024;
/** SAML bindings §3.4.3 / §3.5.3: RelayState MUST NOT exceed 80 bytes. */
export const MAX_RELAY_STATE = 80;

export interface AuthnRequest {
  id: string;
  issuer: string;
}

/**
 * Reads a SAMLRequest (HTTP-Redirect: base64 of raw DEFLATE; HTTP-POST: base64 of the XML) with size limits
 * on both the encoded and the inflated form, refuses DTDs and entity declarations before parsing, and checks
 * it against what is registered: the issuer must be the org's audience and a named ACS must be the org's.
 * The answer always goes to the registered ACS, whatever the request says.
 */
export function readAuthnRequest(encoded: string, binding: 'redirect' | 'post', sp: IdpSettings): AuthnRequest {
  if (encoded.length > MAX_ENCODED_REQUEST) throw new SsoRequestError(413, `SAMLRequest is larger than ${MAX_ENCODED_REQUEST} bytes.`);
  const raw = Buffer.from(encoded.replace(/\s+/g, ''), 'base64');
  let xml: string;
  try {
    xml = (binding === 'redirect' ? inflateRawSync(raw, { maxOutputLength: MAX_REQUEST_XML }) : raw).toString('utf8');
  } catch {
    throw new SsoRequestError(400, 'SAMLRequest cannot be decoded (or inflates beyond the size limit).');
  }
  if (xml.length > MAX_REQUEST_XML) throw new SsoRequestError(413, `The AuthnRequest is larger than ${MAX_REQUEST_XML} bytes.`);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SsoRequestError(400, 'The AuthnRequest holds a DTD or entity declaration, which is not allowed.');
  let root: Element | null;
  try {
    root = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch {
    throw new SsoRequestError(400, 'The AuthnRequest is not well-formed XML.');
  }
  if (!root || root.namespaceURI !== NS_PROTOCOL || root.localName !== 'AuthnRequest') {
    throw new SsoRequestError(400, 'SAMLRequest is not a SAML 2.0 AuthnRequest.');
  }
  const id = root.getAttribute('ID') ?? '';
  if (!/^[A-Za-z_][\w.-]{0,127}$/.test(id)) throw new SsoRequestError(400, 'The AuthnRequest has no usable ID.');
  let issuer = '';
  for (let n = root.firstChild; n; n = n.nextSibling) {
    const el = n as Element;
    if (n.nodeType === 1 && el.namespaceURI === NS_ASSERTION && el.localName === 'Issuer') issuer = (el.textContent ?? '').trim();
  }
  if (issuer !== sp.audience) throw new SsoRequestError(403, `The AuthnRequest comes from ${issuer || '(no issuer)'}, not from the registered service provider.`);
  const acs = root.getAttribute('AssertionConsumerServiceURL');
  if (acs && acs !== sp.acsUrl) throw new SsoRequestError(403, 'The AuthnRequest names an assertion consumer service that is not the registered one; nothing was issued.');
  if (root.getAttribute('AssertionConsumerServiceIndex')) throw new SsoRequestError(400, 'AssertionConsumerServiceIndex is not supported: the registered ACS is used.');
  const binding2 = root.getAttribute('ProtocolBinding');
  if (binding2 && binding2 !== 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST') throw new SsoRequestError(400, 'Only the HTTP-POST response binding is supported.');
  return { id, issuer };
}

/**
 * RelayState becomes Genesys's ServiceName, which Genesys redirects to, so it is either a keyword (an app
 * name such as `directory`) or an https URL on one of the org's own hosts; anything else is refused.
 */
export function checkRelayState(relayState: string | undefined | null, sp: IdpSettings): string | undefined {
  if (relayState === undefined || relayState === null || relayState === '') return undefined;
  if (Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE) throw new SsoRequestError(400, `RelayState is longer than ${MAX_RELAY_STATE} bytes.`);
  if (/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(relayState)) return relayState;
  let url: URL;
  try {
    url = new URL(relayState);
  } catch {
    throw new SsoRequestError(400, 'RelayState must be an application keyword or a URL of the organization.');
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if ((url.protocol !== 'https:' && !(local && url.protocol === 'http:')) || !sp.relayHosts.includes(url.host) || url.username || url.password) {
    throw new SsoRequestError(400, 'RelayState names a URL outside the organization; it is not used as a redirect target.');
  }
  return url.toString();
}
