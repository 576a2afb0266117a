export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The organization short name is a DNS label (the seed: "in compliance with DNS restrictions"); dashes are
 * allowed as in Genesys activation. Case is kept: the Genesys login form's organization field is
 * case-sensitive. Surrounding whitespace is trimmed as a typing slip, anything inside is an error.
 */
export function validateShortName(input: string): Checked<string> {
  const name = input.trim();
  const bad = (why: string): Checked<string> => ({
    ok: false,
    reason: `Organization short name '${name}' ${why}`,
  });
  if (name === '') return bad('is empty; it must be 1-63 letters, digits or dashes');
  if (name.length > 63) return bad(`is ${name.length} characters long; the limit is 63`);
  const at = name.search(/[^A-Za-z0-9-]/);
  if (at >= 0) {
    return bad(
      `contains '${name[at]}' at position ${at + 1}; only letters (a-z, A-Z), digits (0-9) and dashes are allowed`,
    );
  }
  if (name.startsWith('-') || name.endsWith('-')) return bad('must not start or end with a dash');
  return { ok: true, value: name };
}

export interface GenesysRegion {
  awsRegion: string;
  name: string;
  domain: string;
}

/** Reference §3 (from the Genesys SDK region enum). */
export const regions: readonly GenesysRegion[] = [
  { awsRegion: 'us-east-1', name: 'US East (N. Virginia)', domain: 'mypurecloud.com' },
  { awsRegion: 'us-east-2', name: 'US East 2 (Ohio) - FedRAMP', domain: 'use2.us-gov-pure.cloud' },
  { awsRegion: 'us-west-2', name: 'US West (Oregon)', domain: 'usw2.pure.cloud' },
  { awsRegion: 'ca-central-1', name: 'Canada', domain: 'cac1.pure.cloud' },
  { awsRegion: 'sa-east-1', name: 'South America (Sao Paulo)', domain: 'sae1.pure.cloud' },
  { awsRegion: 'mx-central-1', name: 'Mexico', domain: 'mxc1.pure.cloud' },
  { awsRegion: 'eu-west-1', name: 'EMEA (Ireland/Dublin)', domain: 'mypurecloud.ie' },
  { awsRegion: 'eu-west-2', name: 'EMEA (London)', domain: 'euw2.pure.cloud' },
  { awsRegion: 'eu-central-1', name: 'EMEA (Frankfurt)', domain: 'mypurecloud.de' },
  { awsRegion: 'eu-central-2', name: 'EMEA (Zurich)', domain: 'euc2.pure.cloud' },
  { awsRegion: 'me-central-1', name: 'EMEA (UAE)', domain: 'mec1.pure.cloud' },
  { awsRegion: 'ap-south-1', name: 'Asia Pacific (Mumbai)', domain: 'aps1.pure.cloud' },
  { awsRegion: 'ap-northeast-1', name: 'Asia Pacific (Tokyo)', domain: 'mypurecloud.jp' },
  { awsRegion: 'ap-northeast-2', name: 'Asia Pacific (Seoul)', domain: 'apne2.pure.cloud' },
  { awsRegion: 'ap-northeast-3', name: 'Asia Pacific (Osaka)', domain: 'apne3.pure.cloud' },
  { awsRegion: 'ap-southeast-2', name: 'Asia Pacific (Sydney)', domain: 'mypurecloud.com.au' },
  { awsRegion: 'ap-southeast-1', name: 'Asia Pacific (Singapore)', domain: 'apse1.pure.cloud' },
];

/**
 * Accepts a region domain (`mypurecloud.ie`), an AWS region (`eu-west-1`), or a pasted URL of the
 * API or login host (`https://login.mypurecloud.ie/`), since that is what admins tend to have at hand.
 */
export function resolveRegion(input: string): Checked<GenesysRegion> {
  const key = input
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/^(api|login|apps)\./, '');
  const region = regions.find((r) => r.domain === key || r.awsRegion === key);
  if (region) return { ok: true, value: region };
  const choices = regions.map((r) => `${r.domain} (${r.awsRegion}, ${r.name})`).join(', ');
  return { ok: false, reason: `Unknown Genesys Cloud region '${input}'. Use one of: ${choices}` };
}

export function genesysUrls(domain: string): { api: string; login: string; acs: string } {
  return {
    api: `https://api.${domain}`,
    login: `https://login.${domain}`,
    acs: `https://login.${domain}/saml`,
  };
}

export interface Pairing {
  orgShortName: string;
  regionDomain: string;
}

/**
 * One CIC server pairs with one organization: re-confirming the same pairing is fine, a different one is
 * refused. Short names are compared without case because Genesys generates them lower-cased and unique.
 */
export function checkPairing(existing: Pairing | null | undefined, requested: Pairing): Checked<Pairing> {
  if (!existing) return { ok: true, value: requested };
  const same =
    existing.orgShortName.toLowerCase() === requested.orgShortName.toLowerCase() &&
    existing.regionDomain.toLowerCase() === requested.regionDomain.toLowerCase();
  if (same) return { ok: true, value: existing };
  return {
    ok: false,
    reason:
      `This CIC server is already paired with organization '${existing.orgShortName}' (${existing.regionDomain}); ` +
      `a second pairing with '${requested.orgShortName}' (${requested.regionDomain}) is refused. Unpair first.`,
  };
}
