// Kept apart from the rest of domain/: node:crypto is not allowed in the Temporal workflow sandbox, so
// workflows must never import this module (domain/index.ts does not re-export it).
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { DesiredScimUser } from './user-mapping';

/** sha256 (hex) of the canonical JSON of a desired user: equal hashes mean nothing to send. */
export function contentHash(user: DesiredScimUser): string {
  return createHash('sha256').update(canonicalJson(user), 'utf8').digest('hex');
}
