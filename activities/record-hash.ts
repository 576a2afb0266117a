import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain';

/** The CIC properties the bridge maps (DESIGN.md §3); nothing else can change what a user looks like in the cloud. */
export const MAPPED_PROPERTIES = ['displayName', 'emailAddress', 'businessNumber', 'business2Number', 'mobileNumber', 'homeNumber', 'faxNumber'];

/**
 * What the bridge asks CIC for, in a directory read (`select`) and in the watch's users subscription
 * (`properties`) alike: the id and the mapped sub-properties, exactly what recordHash reads, so a record read
 * either way hashes the same and a reconnect snapshot stays small.
 */
export const MAPPED_RECORD_PATHS = ['configurationId', ...MAPPED_PROPERTIES.map((p) => `personalInformationProperties.${p}`)];

/**
 * Hash of what matters in a CIC user record. A directory listing (`select=*`) and a watch snapshot carry
 * different property sets for the same user, so hashing whole records would call every user changed.
 */
export function recordHash(record: { configurationId?: { id?: string }; personalInformationProperties?: Record<string, unknown> | null }): string {
  const pip = record.personalInformationProperties ?? {};
  const relevant: Record<string, unknown> = { id: record.configurationId?.id };
  for (const p of MAPPED_PROPERTIES) if (pip[p] !== undefined && pip[p] !== null && pip[p] !== '') relevant[p] = pip[p];
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex');
}
