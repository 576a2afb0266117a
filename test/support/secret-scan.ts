import { tapLogs } from '../../lib/logger';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';

/** Every row of every table in the suite's schema, as text. */
export async function databaseText(db: Db, schema: string): Promise<string> {
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema}`.execute(db);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ t: string }>`SELECT t::text AS t FROM ${sql.table(`${schema}.${table_name}`)} t`.execute(db);
    parts.push(...rows.rows.map((r) => r.t));
  }
  return parts.join('\n');
}

/** Payload bytes inside a history, decoded: binary protobuf/JSON payloads hold strings a JSON dump would not show. */
function decodedStrings(value: unknown, out: string[]): void {
  if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'));
    return;
  }
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => decodedStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => decodedStrings(v, out));
}

export async function historyText(temporal: Client, workflowIds: string[]): Promise<string> {
  const out: string[] = [];
  for (const id of workflowIds) {
    const history = await temporal.workflow.getHandle(id).fetchHistory();
    decodedStrings(history, out);
  }
  return out.join('\n');
}

/** Collects every log line of this process (every subsystem's pino logger) until `stop()`. */
export function captureLogs() {
  const lines: string[] = [];
  const stop = tapLogs((line) => lines.push(line));
  return { text: () => lines.join(''), stop };
}
