import type { StoredPairing } from '../db/pairing';

/**
 * What the bridge's IdP and the organization must agree on, all derived from the pairing and the bridge's
 * public URL so nothing here can be steered by a request: the issuer (our entity id), the audience (the
 * relying-party identifier we register for the org), the ACS and the token endpoint of the org's login host.
 */
export interface IdpSettings {
  orgShortName: string;
  issuer: string;
  ssoUrl: string;
  metadataUrl: string;
  audience: string;
  acsUrl: string;
  tokenUrl: string;
  /** Hosts a URL-valued RelayState (Genesys's ServiceName) may point at. */
  relayHosts: string[];
}

export function idpSettings(pairing: Pick<StoredPairing, 'orgShortName' | 'loginUrl' | 'apiUrl' | 'regionDomain'>, publicUrl: string): IdpSettings {
  const base = publicUrl.replace(/\/+$/, '');
  const login = pairing.loginUrl.replace(/\/+$/, '');
  const relayHosts = [new URL(login).host, new URL(pairing.apiUrl).host];
  if (pairing.regionDomain) relayHosts.push(`apps.${pairing.regionDomain}`, `login.${pairing.regionDomain}`);
  return {
    orgShortName: pairing.orgShortName,
    issuer: `${base}/saml/metadata`,
    ssoUrl: `${base}/saml/sso`,
    metadataUrl: `${base}/saml/metadata`,
    // Genesys lets the admin choose the audience; this follows the form its own guides use.
    audience: `genesys.cloud.${pairing.orgShortName}`,
    acsUrl: `${login}/saml`,
    tokenUrl: `${login}/oauth/token`,
    relayHosts: [...new Set(relayHosts)],
  };
}
