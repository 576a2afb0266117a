import { Client as PgClient } from 'pg';
import { Redis } from 'ioredis';
import { Connection } from '@temporalio/client';
import type { Config } from '../lib/config';
import { lastDiscovery, type Discovered } from './discovery';
import { ServiceUnreachableError } from './errors';

const PROBE_TIMEOUT_MS = 4000;

/** host:port of a URL, never its credentials. */
function addressOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** A connection failure in words: "connection refused", "timed out", "password authentication failed". */
function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'unknown host';
  if (e?.code === 'ETIMEDOUT' || /timeout|timed out|deadline/i.test(String(e?.message))) return 'no answer';
  const first = String(e?.message ?? err).split('\n')[0].replace(/\s+/g, ' ').trim();
  return first.length > 120 ? `${first.slice(0, 117)}...` : first || 'unknown error';
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

type Hint = (variable: string, service: string) => string;

function hintFor(discovered: Discovered | undefined): Hint {
  const bridge = discovered?.bridge;
  return (variable, service) =>
    bridge?.variables.includes(variable)
      ? `is the bridge running? start it with \`npm start\` (its state file ${bridge.file} names this address), or set ${variable}`
      : `start ${service} there, or set ${variable} to where it runs`;
}

/** PostgreSQL answers a query, or one line says which, where and what to do. */
export async function reachPostgres(config: Config, discovered: Discovered | undefined = lastDiscovery()): Promise<void> {
  const c = new PgClient({ connectionString: config.databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (err) {
    throw new ServiceUnreachableError('PostgreSQL', addressOf(config.databaseUrl), why(err), hintFor(discovered)('DATABASE_URL', 'PostgreSQL'));
  } finally {
    await c.end().catch(() => {});
  }
}

async function reachRedis(config: Config, hint: Hint): Promise<void> {
  const r = new Redis(config.redisUrl, { lazyConnect: true, connectTimeout: PROBE_TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // connect() rejects with "Connection is closed."; the socket's own error says why.
  let socketError: unknown;
  r.on('error', (err) => (socketError ??= err));
  try {
    await withTimeout(r.connect().then(() => r.ping()), PROBE_TIMEOUT_MS + 500);
  } catch (err) {
    throw new ServiceUnreachableError('Redis', addressOf(config.redisUrl), why(socketError ?? err), hint('REDIS_URL', 'Redis'));
  } finally {
    r.disconnect();
  }
}

/** The Temporal server answers (the connection is returned for the command to go on with). */
export async function reachTemporal(config: Config, discovered: Discovered | undefined = lastDiscovery()): Promise<Connection> {
  try {
    return await Connection.connect({ address: config.temporalAddress, connectTimeout: PROBE_TIMEOUT_MS });
  } catch (err) {
    throw new ServiceUnreachableError('Temporal', config.temporalAddress, why(err), hintFor(discovered)('TEMPORAL_ADDRESS', 'the Temporal server'));
  }
}

/**
 * Checks that PostgreSQL, Redis and Temporal answer before a command uses them, so a service that is away
 * gives one line naming it, its address and what to do, instead of a driver's stack trace minutes later.
 * Returns the Temporal connection it opened (the command goes on with it).
 */
export async function reachServices(config: Config, discovered: Discovered | undefined = lastDiscovery()): Promise<Connection> {
  // The first failure in this order is the one reported: a stopped bridge has all three away.
  const settled = await Promise.allSettled([
    reachPostgres(config, discovered),
    reachRedis(config, hintFor(discovered)),
    reachTemporal(config, discovered),
  ]);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    if (settled[2].status === 'fulfilled') await settled[2].value.close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return (settled[2] as PromiseFulfilledResult<Connection>).value;
}
