import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinDir, startPostgres } from '../../stack/postgres';
import { run } from '../../stack/process';

export interface OwnPostgres {
  url: string;
  /** Stops the server (fast shutdown: every connection is ended), waits `downMs`, starts it again on the same port and data. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of one test's own, for a test that restarts it: the suite's shared server must stay up
 * for everyone else. Same binaries and settings as the stack's (stack/postgres.ts).
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'cloud-bridge-own-pg-'));
  const pg = await startPostgres(dir);
  const dataDir = join(dir, 'pg');
  const port = new URL(pg.url).port;
  const pgCtl = (args: string[]) => {
    const cmd = join(findPostgresBinDir(), 'pg_ctl');
    return userInfo().uid === 0 ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
  };
  const stop = () => pgCtl(['stop', '-D', dataDir, '-m', 'fast', '-w']);
  return {
    url: pg.url,
    async restart(downMs) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await pgCtl(['start', '-D', dataDir, '-w', '-l', join(dir, 'postgres-restarted.log'), '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`]);
    },
    async stop() {
      await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
