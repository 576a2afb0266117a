import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createGenesysClient, type GenesysClient, type GenesysClientOptions } from '../../clients/genesys';
import type { GenesysSimulator, GenesysSimulatorOptions } from '../../simulators/genesys';
import { suiteConfig } from './env';
import { useGenesysSimulator } from './genesys-sim-fixture';

export interface GenesysClientSuite {
  sim: GenesysSimulator;
  redis: Redis;
  /** Options for the demo client; each call has a budget prefix of its own, so tests never share a budget by accident. */
  options(over?: Partial<GenesysClientOptions>): GenesysClientOptions;
  client(over?: Partial<GenesysClientOptions>): GenesysClient;
}

/** A simulator and the Redis behind the request budget, for a file of Genesys client tests. */
export function useGenesysClientSuite(
  name: string,
  simOptions: GenesysSimulatorOptions = {},
): GenesysClientSuite {
  const cfg = suiteConfig(name);
  const redis = new Redis(cfg.redisUrl, { maxRetriesPerRequest: null });
  const sim = useGenesysSimulator(simOptions);

  after(async () => {
    const keys = await redis.keys(`${cfg.queuePrefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const options = (over: Partial<GenesysClientOptions> = {}): GenesysClientOptions => ({
    apiUrl: sim.urls.api,
    loginUrl: sim.urls.login,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    redis,
    budgetPrefix: `${cfg.queuePrefix}-${randomBytes(3).toString('hex')}`,
    ...over,
  });
  return { sim, redis, options, client: (over) => createGenesysClient(options(over)) };
}
