import type { Server } from 'node:http';
import type { Config } from '../lib/config';
import { configureLogging, createLogger } from '../lib/logger';
import { installTemporalRuntime } from './temporal-runtime';
import { buildDependencies } from './dependencies';
import { createTemporalWorker, type TemporalWorkerHandle } from './temporal-worker';
import { startQueueWorkers, type QueueWorkersHandle } from './queue-workers';
import { startHttpServer } from './http-server';
import { createIdpHttpHandler } from '../idp/http-routes';
import { createHealthHttpHandler } from '../operations/health/http-routes';
import { configureSecretKeys } from '../lib/secrets';
import { createCodecHttpHandler, codecHttpOptions } from './codec-routes';

const log = () => createLogger('worker');

export interface RunningWorkers {
  healthPort?: number;
  /** Resolves when the workers have stopped (after a signal or `stop()`). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The worker process: the Temporal worker and the BullMQ workers (both by default, either by flag), the
 * bridge's one HTTP server (liveness, SAML IdP, token broker), and a graceful shutdown on SIGTERM/SIGINT that closes workers before connections.
 */
export async function runWorkers(config: Config, opts: { handleSignals?: boolean } = {}): Promise<RunningWorkers> {
  configureLogging({ level: config.logLevel });
  configureSecretKeys({ previous: config.secretKeyPrevious });
  installTemporalRuntime(config.logLevel);
  const deps = await buildDependencies(config);
  let temporal: TemporalWorkerHandle | undefined;
  let queues: QueueWorkersHandle | undefined;
  let temporalRun: Promise<void> | undefined;
  let temporalError: Error | undefined;

  if (config.runTemporalWorker) {
    temporal = await createTemporalWorker(config, deps);
    temporalRun = temporal.worker.run().catch((err) => {
      temporalError = err;
      log().error({ err }, 'temporal worker stopped with an error');
    });
  }
  if (config.runQueueWorkers) queues = startQueueWorkers(config, deps);

  const idp = createIdpHttpHandler({ ...deps, redis: deps.producer, queuePrefix: config.queuePrefix, secretKey: config.secretKey });
  const codec = createCodecHttpHandler(codecHttpOptions(config));
  const healthPage = createHealthHttpHandler({
    ...deps,
    redis: deps.producer,
    queuePrefix: config.queuePrefix,
    probeSeconds: config.healthProbeSeconds,
    accessToken: config.healthToken,
  });
  // With BRIDGE_HEALTH_PORT the health page and /metrics get their own listener (e.g. an internal address),
  // and the public one (SSO) does not serve them.
  const ownHealthListener = config.healthPort !== undefined;
  const healthListener = ownHealthListener
    ? await startHttpServer({ port: config.healthPort!, host: config.healthHost ?? config.httpHost }, {}, [healthPage])
    : undefined;
  const health: Server = await startHttpServer({ port: config.httpPort, host: config.httpHost }, {
    ...(temporal && {
      temporal: () => ({ ok: temporal!.worker.getState() === 'RUNNING', detail: temporalError?.message ?? temporal!.worker.getState() }),
    }),
    ...(queues && {
      queues: () => ({ ok: queues!.workers.every((w) => w.isRunning()), detail: `${queues!.workers.length} workers` }),
    }),
  }, ownHealthListener ? [idp, codec] : [healthPage, idp, codec]);
  const address = health.address();
  const healthPort = typeof address === 'object' && address ? address.port : undefined;
  if (healthPort) deps.setListeningPort(healthPort);
  log().info(
    { taskQueue: config.taskQueue, temporal: !!temporal, queues: !!queues, healthPort },
    'workers running',
  );

  /** A shutdown phase that takes long says so, every 10 s, naming what it waits for. */
  const phase = async (what: string, p: Promise<unknown> | undefined) => {
    const started = Date.now();
    const timer = setInterval(() => log().warn({ waitingSeconds: Math.round((Date.now() - started) / 1000) }, `shutdown still waiting for ${what}`), 10_000);
    try {
      await p;
    } finally {
      clearInterval(timer);
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log().info('shutting down');
      if (temporal) {
        if (temporal.worker.getState() === 'RUNNING') temporal.worker.shutdown();
        await phase('the Temporal worker', temporalRun);
        await phase('the Temporal connection', temporal.connection.close());
      }
      await phase('the queue workers', queues?.close());
      await phase('the HTTP server', new Promise<void>((r) => health.close(() => r())));
      if (healthListener) await phase('the health listener', new Promise<void>((r) => healthListener.close(() => r())));
      await phase('the connections', deps.close());
      log().info('stopped');
    })());

  if (opts.handleSignals) {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void stop());
  }
  // A Temporal worker that stops by itself (fatal error) takes the whole process down with it.
  void temporalRun?.then(() => stop());
  const done = new Promise<void>((resolve) => {
    const wait = () => (stopping ? stopping.then(resolve) : setTimeout(wait, 100));
    wait();
  });
  return { healthPort, done, stop };
}
