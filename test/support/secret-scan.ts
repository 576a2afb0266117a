import { tapLogs } from '../../lib/logger';
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import type { PayloadCodec } from '@temporalio/common';
import { decodePayloadsIn } from '../../lib/payload-codec';

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

const bytesOf = (data: unknown): Buffer | undefined =>
  data instanceof Uint8Array ? Buffer.from(data) : typeof data === 'string' ? Buffer.from(data, 'base64') : undefined;

/** Every string inside a JSON value, unescaped (a secret with a quote or a backslash is escaped in the JSON text). */
function jsonStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => jsonStrings(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      jsonStrings(v, out);
    }
  }
}

/**
 * Every text inside a history: its plain strings, and each payload (`{metadata, data}`: workflow and activity
 * inputs and results, signal arguments, memos, headers, failure details) decoded. A payload's data is bytes
 * (a history from `fetchHistory()`) or base64 (a history as JSON): JSON.stringify shows neither as text (a
 * byte array becomes numbers), which is why a scan must go through here. A JSON payload also gives its
 * strings unescaped; other payloads (binary/protobuf, plain) give their bytes as UTF-8, which shows the strings in them.
 */
export function historyStrings(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'));
  } else if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    value.forEach((v) => historyStrings(v, out));
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const data = o.metadata && typeof o.metadata === 'object' ? bytesOf(o.data) : undefined;
    if (data) {
      const text = data.toString('utf8');
      out.push(text);
      const encoding = bytesOf((o.metadata as Record<string, unknown>).encoding)?.toString('utf8');
      if (!encoding || encoding.startsWith('json/')) {
        try {
          jsonStrings(JSON.parse(text), out);
        } catch {
          // not JSON after all: its UTF-8 text is already in
        }
      }
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'data' || !data) historyStrings(v, out);
  }
  return out;
}

/**
 * The decoded text of these workflows' histories (the latest run of each id), as the Temporal server holds
 * them: payloads are encrypted by the bridge's codec, so this shows what anyone with access to Temporal (its
 * database, the UI without the codec endpoint) can read. With `decryptWith`, payloads are decrypted first:
 * what an operator sees through the codec endpoint, and proof that the scan would find a planted string.
 */
export async function historyText(temporal: Client, workflowIds: string[], opts: { decryptWith?: PayloadCodec } = {}): Promise<string> {
  const out: string[] = [];
  for (const id of workflowIds) {
    const raw = await temporal.workflow.getHandle(id).fetchHistory();
    historyStrings(opts.decryptWith ? await decodePayloadsIn(raw, opts.decryptWith) : raw, out);
  }
  return out.join('\n');
}

/** Collects every log line of this process (every subsystem's pino logger) until `stop()`. */
export function captureLogs() {
  const lines: string[] = [];
  const stop = tapLogs((line) => lines.push(line));
  return { text: () => lines.join(''), stop };
}
