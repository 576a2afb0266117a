import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';

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
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function ensureSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
}

export async function dropSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
}
