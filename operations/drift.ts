import type { Db } from '../db/database';
import { listDrift, type DriftAttribute, type UserDrift } from '../db/drift';

export type { UserDrift };

/** One line per drifted attribute, as `bridge drift` and `bridge user <id>` show it. */
export function describeDriftAttribute(a: DriftAttribute): string {
  const show = (v: string | null) => (v === null ? '(empty)' : `"${v}"`);
  return `${a.attribute}: the bridge sent ${show(a.before)}, Genesys Cloud has ${show(a.after)}`;
}

/**
 * `bridge drift`: synced users whose synced attributes were edited in Genesys Cloud, as found by the last full
 * pass. The bridge leaves those edits in place until the attribute changes in CIC (DESIGN.md §3).
 */
export async function driftReport(db: Db, cicIds?: string[]): Promise<{ users: UserDrift[] }> {
  return { users: await listDrift(db, { cicIds }) };
}

export function driftLines(users: readonly UserDrift[]): string[] {
  const lines: string[] = [];
  for (const u of users) {
    lines.push(`${u.cicId} (Genesys Cloud user ${u.genesysId}), since ${u.detectedAt.toISOString()}:`);
    for (const a of u.attributes) lines.push(`  ${describeDriftAttribute(a)}`);
  }
  return lines;
}
