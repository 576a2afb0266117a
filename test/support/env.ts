import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../lib/config';

/**
 * Config for one test suite: the services `npm test` started (DATABASE_URL, REDIS_URL, TEMPORAL_ADDRESS),
 * with a schema, task queue and queue prefix of the suite's own so suites never see each other's state.
 */
export function suiteConfig(name: string, overrides: Parameters<typeof loadConfig>[1] = {}): Config {
  const id = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS']) {
    if (!process.env[key]) throw new Error(`${key} is not set: run the tests with \`npm test\`, which starts the services`);
  }
  return loadConfig(process.env, {
    databaseSchema: `t_${id}`,
    taskQueue: `test-${id}`,
    queuePrefix: `t-${id}`,
    logLevel: 'warn',
    httpPort: 0,
    ...overrides,
  });
}
