import { join } from 'node:path';
import { connect } from 'node:net';
import { StackError, freePort, run, startService, waitFor, type Service } from './process';

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

/** Debian's redis-server, in memory only: no RDB or AOF files, since the stack is thrown away. */
export async function startRedis(dir: string): Promise<RedisHandle> {
  await run('redis-server', ['--version']).catch(() => {
    throw new StackError('redis-server not found; install it with `apt-get install -y redis-server` (or set REDIS_URL)');
  });
  const port = await freePort();
  const service = startService(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    join(dir, 'redis.log'),
  );
  await waitFor('Redis', () => ping(port), service, 15_000);
  return { url: `redis://127.0.0.1:${port}`, service };
}
