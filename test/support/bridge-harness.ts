import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../lib/config';
import { createDb, dropSchema, type Db } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { runWorkers, type RunningWorkers } from '../../workers/main';
import { openProducer } from '../../queues/connection';
import { pair, pairingDeps, type PairRequest } from '../../operations/pairing';
import { simulatorPairRequest } from '../../simulators/demo-pairing';
import { startGenesysSimulator, type GenesysSimulator, type GenesysSimulatorOptions } from '../../simulators/genesys';
import { startCicSimulatorPair, type CicSimulatorOptions, type CicSimulatorPair } from '../../simulators/cic';
import { suiteConfig } from './env';
import { dataConverterFor } from '../../lib/payload-codec';

export interface BridgeHarness {
  config: Config;
  db: Db;
  temporal: Client;
  genesys: GenesysSimulator;
  cic: CicSimulatorPair;
  workers: RunningWorkers;
  /** Pairs with the simulators (org `demo-org`, client `demo-client`). */
  pair(overrides?: Partial<PairRequest>): ReturnType<typeof pair>;
  /** JSON from a simulator's admin API. */
  genesysAdmin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  cicAdmin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  cloudUsers(): Promise<any[]>;
  /** The bridge's one HTTP server (IdP, token broker, liveness). */
  readonly bridgeUrl: string;
  /** Restarts the workers (the same config), e.g. after killing them. */
  restartWorkers(): Promise<void>;
  stop(): Promise<void>;
}

/** JSON from a simulator's admin API; a non-2xx answer throws with its body. */
export async function adminCall(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * A whole bridge for an end-to-end test: both simulators, the suite's own schema, task queue and queue
 * prefix on the real services `npm test` started, and the real workers.
 */
export async function startBridge(
  name: string,
  opts: { genesys?: GenesysSimulatorOptions; cic?: CicSimulatorOptions; config?: Partial<Config> } = {},
): Promise<BridgeHarness> {
  const config = suiteConfig(name, { secretKey: randomBytes(24).toString('hex'), ...opts.config });
  const db = createDb({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, max: 4 });
  await migrateToLatest(db, config.databaseSchema);
  const genesys = await startGenesysSimulator({ rateLimitPerMinute: 0, ...opts.genesys });
  const cic = await startCicSimulatorPair({ directory: { count: 20, seed: 7 }, ...opts.cic });
  let workers = await runWorkers(config);
  const temporal = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), dataConverter: dataConverterFor(config) });
  const redis = await openProducer(config.redisUrl);
  const h: BridgeHarness = {
    config,
    db,
    temporal,
    genesys,
    cic,
    get workers() {
      return workers;
    },
    get bridgeUrl() {
      return `http://127.0.0.1:${workers.healthPort}`;
    },
    pair: (overrides = {}) =>
      pair(
        pairingDeps(config, { db, redis, temporal }),
        simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: 0 }, overrides),
      ),
    genesysAdmin: (method, path, body) => adminCall(genesys.urls.admin, method, path, body),
    cicAdmin: (method, path, body) => adminCall(cic.urls.admin, method, path, body),
    async cloudUsers() {
      return (await adminCall(genesys.urls.admin, 'GET', '/__admin/users')).users;
    },
    async restartWorkers() {
      await workers.stop();
      workers = await runWorkers(config);
    },
    async stop() {
      const terminate = async () => {
        for (const wf of ['cic-watch/demo-org', 'directory-sync/demo-org', 'account-linking/demo-org', 'conduit-export/demo-org']) {
          await temporal.workflow.getHandle(wf).terminate('test over').catch(() => {});
        }
      };
      await terminate();
      await workers.stop();
      // A job the queue workers took meanwhile (e.g. from a watch handing over as it ended) may have started
      // the sync again on this suite's task queue, where no worker polls now: the next suite's pairing would
      // only signal that run.
      await terminate();
      await temporal.connection.close();
      redis.disconnect();
      await cic.close();
      await genesys.close();
      await dropSchema(db, config.databaseSchema);
      await db.destroy();
    },
  };
  return h;
}

/** Polls until `check` returns a truthy value or the time is up; returns that value. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    // A probe that never answers (a hung connection) fails the wait at its deadline instead of hanging the suite.
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a check for ${what} did not answer`)), Math.max(deadline - Date.now(), 0) + 5_000);
    });
    try {
      const v = await Promise.race([check(), overdue]);
      if (v) return v;
    } catch (err) {
      last = err;
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
