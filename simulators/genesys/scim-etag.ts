import { ApiError } from './http';

/**
 * Versions are rendered as strong, quoted entity tags (`"3"`), the form the Genesys SDK docs show; the
 * same string is `meta.version` and the `ETag` header. Comparison is weak (RFC 7232 §2.3.2), so a client
 * echoing `W/"3"` matches too.
 */
export function formatEtag(version: number): string {
  return `"${version}"`;
}

const tagRe = /^\s*(?:W\/)?"([^"]*)"\s*$/;

/** True when the header lists the current version or `*`; undefined when the header is malformed. */
export function etagMatches(header: string | string[], version: number): boolean | undefined {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw.trim() === '*') return true;
  const current = String(version);
  let any = false;
  for (const part of raw.split(',')) {
    const m = tagRe.exec(part);
    if (!m) return undefined;
    if (m[1] === current) any = true;
  }
  return any;
}

/** Enforces `If-Match` on PUT/PATCH/DELETE: a stale or malformed tag is 400 invalidVers (Genesys SCIM). */
export function checkIfMatch(header: string | string[] | undefined, version: number): void {
  if (header === undefined) return;
  const ok = etagMatches(header, version);
  if (ok === undefined) {
    throw new ApiError(
      400,
      `If-Match header is not a valid entity tag; current version is ${formatEtag(version)}.`,
      {
        scimType: 'invalidVers',
      },
    );
  }
  if (!ok) {
    throw new ApiError(
      400,
      `The resource version does not match If-Match; current version is ${formatEtag(version)}.`,
      {
        scimType: 'invalidVers',
      },
    );
  }
}
