import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { Migrator, NO_MIGRATIONS, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import { ensureSchema } from './database';

/** Raised when a migration fails; carries the name of the migration that failed. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const migrationFolder = path.join(__dirname, '..', 'migrations');

/**
 * Kysely's FileMigrationProvider, loading with require() instead of import(): the installed `bridge` command
 * (bin/bridge.js) runs under tsx's CommonJS hook alone, which import() of a .ts file does not go through.
 */
const migrationProvider: MigrationProvider = {
  async getMigrations() {
    const files = (await fs.readdir(migrationFolder)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) migrations[file.replace(/\.(ts|js)$/, '')] = require(path.join(migrationFolder, file)) as Migration;
    return migrations;
  },
};

function migrator(db: Kysely<any>, schema: string): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableSchema: schema,
  });
}

function check(result: MigrationResultSet): string[] {
  const failed = result.results?.find((r) => r.status === 'Error');
  if (result.error) {
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
  }
  return (result.results ?? []).map((r) => `${r.direction} ${r.migrationName}`);
}

export async function migrateToLatest(db: Kysely<any>, schema = 'public'): Promise<string[]> {
  await ensureSchema(db, schema);
  return check(await migrator(db, schema).migrateToLatest());
}

/** Undoes the last migration, or every migration with `all`. */
export async function migrateDown(db: Kysely<any>, schema = 'public', all = false): Promise<string[]> {
  const m = migrator(db, schema);
  return check(all ? await m.migrateTo(NO_MIGRATIONS) : await m.migrateDown());
}

export async function pendingMigrations(db: Kysely<any>, schema = 'public'): Promise<string[]> {
  return (await migrator(db, schema).getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}
