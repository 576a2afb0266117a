import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { StackError, freePort, portOrFree, run, startService, waitFor, type Service } from './process';
import { searchAttributes } from '../lib/search-attributes';
import { envWithoutSecrets } from '../lib/child-env';

/**
 * The Temporal CLI's dev server (SQLite, Web UI). No download site is reachable here, so the SDK's own
 * ephemeral-server download cannot work; the CLI is built from the Go module proxy instead. v1.5.1 is the
 * newest release whose go.mod has no `replace` directive, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export function temporalCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cloud-bridge', 'bin');
}

async function onPath(name: string): Promise<string | undefined> {
  try {
    return (await run('sh', ['-c', `command -v ${name}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** An explicit TEMPORAL_BIN, a `temporal` on PATH, the cached build, or a fresh build (minutes, once). */
export async function resolveTemporalBinary(env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<string> {
  if (env.TEMPORAL_BIN) {
    if (!existsSync(env.TEMPORAL_BIN)) throw new StackError(`TEMPORAL_BIN=${env.TEMPORAL_BIN} does not exist`);
    return env.TEMPORAL_BIN;
  }
  const cached = join(temporalCacheDir(env), 'temporal');
  if (existsSync(cached)) return cached;
  const found = await onPath('temporal');
  if (found) return found;
  const go = await onPath('go');
  if (!go) throw new StackError('no `temporal` binary and no Go toolchain to build one; install Go or set TEMPORAL_BIN');
  mkdirSync(temporalCacheDir(env), { recursive: true });
  log(`building the Temporal CLI (${TEMPORAL_CLI_MODULE}) from the Go module proxy; this takes a few minutes once`);
  await run(go, ['install', TEMPORAL_CLI_MODULE], {
    env: { ...envWithoutSecrets(env), GOBIN: temporalCacheDir(env), GOFLAGS: `${env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
  });
  return cached;
}

export interface TemporalHandle {
  address: string;
  uiUrl: string;
  service: Service;
}

/**
 * `extraArgs` go to `temporal server start-dev` as they are (e.g. `--dynamic-config-value KEY=VALUE`). The
 * SQLite file `dir/temporal.db` keeps the workflow histories for as long as `dir` is kept; `ports` are used
 * when free, so a kept stack keeps its addresses.
 */
export async function startTemporal(
  dir: string,
  binary: string,
  extraArgs: string[] = [],
  ports: { port?: number; uiPort?: number; detached?: boolean } = {},
): Promise<TemporalHandle> {
  const [port, uiPort, httpPort, metricsPort] = [await portOrFree(ports.port), await portOrFree(ports.uiPort), await freePort(), await freePort()];
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
    '--http-port', String(httpPort), '--metrics-port', String(metricsPort),
    '--db-filename', join(dir, 'temporal.db'), '--log-level', 'warn', '--color', 'never',
    ...Object.entries(searchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...extraArgs,
  ];
  const service = startService('temporal', binary, args, join(dir, 'temporal.log'), { detached: ports.detached });
  const address = `127.0.0.1:${port}`;
  await waitFor(
    'Temporal',
    async () => {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.describeNamespace({ namespace: 'default' });
        return true;
      } finally {
        await conn.close();
      }
    },
    service,
    60_000,
  );
  await waitFor('Temporal Web UI', async () => (await fetch(`http://127.0.0.1:${uiPort}/`)).ok, service, 30_000);
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, service };
}

/** For a cluster we did not start: registers our search attributes, tolerating ones that exist. */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const conn = await Connection.connect({ address });
  try {
    const existing = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = Object.keys(searchAttributes).filter((name) => !(name in (existing.customAttributes ?? {})));
    await addSearchAttributes(conn, namespace, missing as (keyof typeof searchAttributes)[]);
  } finally {
    await conn.close();
  }
}

/**
 * Registers our search attributes without asking which exist, for servers that cannot say: the time-skipping
 * test server implements AddSearchAttributes but not ListSearchAttributes.
 */
export async function addSearchAttributes(
  conn: Connection,
  namespace: string,
  names = Object.keys(searchAttributes) as (keyof typeof searchAttributes)[],
): Promise<void> {
  if (!names.length) return;
  const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
  await conn.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      names.map((name) => [
        name,
        searchAttributes[name] === 'Keyword' ? IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD : IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
      ]),
    ),
  });
}
