import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';
import { createLogger } from '../lib/logger';

const poolLog = createLogger('db');

export type Db = Kysely<Database>;

/**
 * One pool per process. The schema is set on every connection through the startup `options`, so each
 * test suite (or each tenant of a shared server) can live in its own schema.
 */
export function createDb(opts: { databaseUrl: string; schema?: string; max?: number }): Db {
  const schema = opts.schema ?? 'public';
  const pool = new Pool({
    connectionString: opts.databaseUrl,
    max: opts.max ?? 10,
    options: `-c search_path=${schema}`,
    // A query waiting on a server that stopped answering must fail (and be retried), not hang its activity.
    connectionTimeoutMillis: 10_000,
    query_timeout: 300_000,
    keepAlive: true,
  });
  // A server restart ends idle connections with an error; without a listener that error ends the process.
  // The pool drops the dead client and opens a new one for the next query.
  pool.on('error', (err) => poolLog.warn({ err: err.message }, 'PostgreSQL ended an idle connection'));
  // The same for a connection checked out between two queries (a transaction): its next query fails instead,
  // and the pool does not take it back.
  pool.on('connect', (client) => client.on('error', (err) => poolLog.warn({ err: err.message }, 'PostgreSQL ended a connection in use')));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function ensureSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
}

export async function dropSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
}
