import { sql } from 'kysely';
import type { Db } from '../db/database';
import { SecretBox, keyId, splitKeys } from '../lib/secrets';

export interface RotationResult {
  keyId: string;
  /** Per sealed column (`table.column`): values re-sealed with the new key, and values already under it. */
  columns: { column: string; resealed: number; alreadyCurrent: number }[];
}

/**
 * `bridge secrets rotate`: re-seals every sealed value in the schema with the new key (BRIDGE_SECRET_KEY),
 * opening each with whichever key sealed it (the new one, or one of BRIDGE_SECRET_KEY_PREVIOUS). Sealed
 * columns are found by their name (`…_enc`, text), so one added later is rotated too. All in one
 * transaction with the rows locked: either every value moves to the new key or none does, and a value that
 * no key opens stops the rotation with its column named. Running it again finds nothing to do.
 */
export async function rotateSecrets(
  db: Db,
  opts: { schema: string; secretKey: string | undefined; previous: string | readonly string[] | undefined },
): Promise<RotationResult> {
  const box = new SecretBox(opts.secretKey, splitKeys(opts.previous));
  const columns = await sql<{ table_name: string; column_name: string }>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = ${opts.schema} AND column_name LIKE '%\\_enc' AND data_type = 'text'
    ORDER BY table_name, column_name`.execute(db);
  return db.transaction().execute(async (tx) => {
    const result: RotationResult = { keyId: keyId(opts.secretKey!), columns: [] };
    for (const { table_name, column_name } of columns.rows) {
      const table = sql.table(`${opts.schema}.${table_name}`);
      const col = sql.ref(column_name);
      const rows = await sql<{ ctid: string; v: string }>`SELECT ctid::text AS ctid, ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL FOR UPDATE`.execute(tx);
      let resealed = 0;
      for (const { ctid, v } of rows.rows) {
        if (box.isCurrent(v)) continue;
        let plain: string;
        try {
          plain = box.open(v);
        } catch (err) {
          throw new Error(`${table_name}.${column_name}: ${(err as Error).message}; nothing was re-sealed`);
        }
        await sql`UPDATE ${table} SET ${col} = ${box.seal(plain)} WHERE ctid = ${ctid}::tid`.execute(tx);
        resealed++;
      }
      result.columns.push({ column: `${table_name}.${column_name}`, resealed, alreadyCurrent: rows.rows.length - resealed });
    }
    return result;
  });
}
