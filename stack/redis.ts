import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { StackError, portOrFree, run, startService, waitFor, type Service } from './process';

export interface RedisHandle {
  url: string;
  service: Service;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(1000);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/**
 * Debian's redis-server. Throw-away: in memory only, no RDB or AOF files. `keep` (`npm start`): an append-only
 * file in `dir/redis`, fsynced every second, so the queues and the request budget survive a restart.
 */
export async function startRedis(dir: string, opts: { keep?: boolean; port?: number } = {}): Promise<RedisHandle> {
  await run('redis-server', ['--version']).catch(() => {
    throw new StackError('redis-server not found; install it with `apt-get install -y redis-server` (or set REDIS_URL)');
  });
  const port = await portOrFree(opts.port);
  const dataDir = opts.keep ? join(dir, 'redis') : dir;
  if (opts.keep) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const persistence = opts.keep ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
  const service = startService(
    'redis',
    'redis-server',
    // noeviction: BullMQ's keys must never be evicted to make room.
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--maxmemory-policy', 'noeviction', '--dir', dataDir],
    join(dir, 'redis.log'),
    { detached: opts.keep },
  );
  await waitFor('Redis', () => ping(port), service, 15_000);
  return { url: `redis://127.0.0.1:${port}`, service };
}
