import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { openCliContext } from '../cli/context';
import { loadConfig, type Config } from '../lib/config';
import { configureLogging } from '../lib/logger';
import { dropSchema, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { syncProgress } from '../operations/directory';
import type { SyncProgress } from '../workflows/directory-sync-api';

export function arg(args: string[], name: string, fallback: number): number {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const v = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  return Number(v);
}

export const median = (xs: number[]) => percentile(xs, 50);
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A bench's own schema, task queue and queue prefix on the services `npm run bench` started. */
export async function benchEnvironment(name: string, overrides: Partial<Config> = {}) {
  const id = `${name}_${randomBytes(3).toString('hex')}`;
  const config = loadConfig(process.env, {
    databaseSchema: `b_${id}`,
    taskQueue: `bench-${id}`,
    queuePrefix: `b-${id}`,
    logLevel: 'error',
    httpPort: 0,
    secretKey: randomBytes(24).toString('hex'),
    ...overrides,
  });
  configureLogging({ level: 'error' });
  const ctx = await openCliContext(config);
  await migrateToLatest(ctx.db, config.databaseSchema);
  return {
    ...ctx,
    async close() {
      await dropSchema(ctx.db, config.databaseSchema);
      await ctx.close();
    },
  };
}

/** Resolves once a worker polls the task queue (the worker bundles its workflows first: seconds). */
export async function waitForWorker(temporal: Client, namespace: string, taskQueue: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await temporal.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType: 1 });
    if ((r.pollers ?? []).length > 0) return;
    if (Date.now() > deadline) throw new Error('no worker polled the task queue in time');
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * CPU seconds (user + system) a process has used so far. On a shared, loaded machine wall time swings with
 * the neighbours; the worker's own CPU time is the figure that compares across runs.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Waits until a full pass started after `afterRunId` has completed and nothing is left pending. */
export async function waitForFullPass(env: { db: Db; temporal: Client }, afterRunId: string | undefined, timeoutMs: number): Promise<SyncProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await syncProgress(env).catch(() => undefined);
    const full = p?.lastFullPass;
    if (p && full && full.runId !== afterRunId && full.status === 'completed' && !p.fullPending && p.state === 'waiting' && !p.pendingUserIds) return p;
    if (Date.now() > deadline) throw new Error(`no full pass within ${timeoutMs} ms: ${JSON.stringify(p)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Seconds spent in each activity type of the directory sync's current run, in history order, split at the
 * n-th `stageCicUsers` (one per full pass): where the time of each full pass went.
 */
export async function fullPassPhases(temporal: Client, workflowId: string): Promise<Record<string, number>[]> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const passes: Record<string, number>[] = [];
  for (const e of history.events ?? []) {
    const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '?';
      if (type === 'stageCicUsers') passes.push({});
      scheduled.set(String(e.eventId), { type, at });
    }
    const done = e.activityTaskCompletedEventAttributes;
    const started = done && scheduled.get(String(done.scheduledEventId));
    if (started && passes.length) {
      const pass = passes[passes.length - 1];
      pass[started.type] = Number(((pass[started.type] ?? 0) + (at - started.at) / 1000).toFixed(2));
    }
  }
  return passes;
}
