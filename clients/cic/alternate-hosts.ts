import { resolveAlternateHost } from './servers';

/**
 * Which hosts a server's `alternateHostList` may send us to. A 503 with that list makes us send the
 * PureCloudAdmin password to the hosts in it, so the list is only followed within the configured switchover
 * pair (the host and port of each configured server; CIC names bare hosts, which we reach on the port of the
 * server that named them) or an explicit allow-list (`host` for any port, or `host:port`), and never from
 * https down to http: anything else is dropped and reported.
 */
export interface AlternateHostPolicy {
  /** Resolves the entries CIC gave and splits them into those we may follow and those we must not. */
  filter(entries: string[], from: string): { allowed: string[]; refused: { entry: string; reason: string }[] };
}

const hostOf = (u: URL) => u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
const defaultPort = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
const hostPortOf = (u: URL) => `${hostOf(u)}:${defaultPort(u)}`;

export function alternateHostPolicy(configured: string[], allowList: string[] = []): AlternateHostPolicy {
  const hosts = new Set<string>();
  for (const s of configured) {
    try {
      hosts.add(hostPortOf(new URL(s)));
    } catch {
      // an unparsable configured server fails on its own when tried
    }
  }
  for (const h of allowList) hosts.add(h.trim().toLowerCase().replace(/^\[|\]$/g, ''));
  return {
    filter(entries, from) {
      const allowed: string[] = [];
      const refused: { entry: string; reason: string }[] = [];
      const fromUrl = new URL(from);
      for (const entry of entries) {
        let url: URL;
        try {
          url = new URL(resolveAlternateHost(entry, from));
        } catch {
          refused.push({ entry, reason: 'not a host name or URL' });
          continue;
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') refused.push({ entry, reason: `scheme ${url.protocol} is not http(s)` });
        else if (fromUrl.protocol === 'https:' && url.protocol !== 'https:') refused.push({ entry, reason: 'would downgrade https to http' });
        else if (!hosts.has(hostPortOf(url)) && !hosts.has(hostOf(url))) refused.push({ entry, reason: `${url.host} is not one of the configured CIC servers` });
        else allowed.push(resolveAlternateHost(entry, from));
      }
      return { allowed, refused };
    },
  };
}
