/** A configured server base URL without the trailing slash, so paths can be appended as `${base}/icws/...`. */
export function normaliseServer(base: string): string {
  return base.trim().replace(/\/+$/, '');
}

/**
 * Turns an `alternateHostList` entry into a base URL. CIC lists bare host names (sometimes `host:port`), and a
 * client reaches the peer on the scheme and port it used for the server that sent the list; a full URL is
 * taken as is.
 */
export function resolveAlternateHost(entry: string, from: string): string {
  const value = entry.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return normaliseServer(value);
  const url = new URL(from);
  const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!hostPort) return normaliseServer(from);
  url.hostname = hostPort[1];
  if (hostPort[2]) url.port = hostPort[2];
  return normaliseServer(`${url.origin}${url.pathname}`);
}

/** Servers to try, in order, without duplicates. */
export function uniqueServers(...lists: string[][]): string[] {
  return [...new Set(lists.flat().map(normaliseServer))];
}
