import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * Run-time fault injection for the api and login hosts (never the admin host). Latency adds to whatever
 * happens next; the first matching terminal fault (error, rateLimit, timeout, drop, dropAfterApply) decides
 * the outcome. `dropAfterApply` lets the request do its work and then cuts the connection instead of answering:
 * the unknown outcome a client must not answer with a blind repeat.
 */
export const faultSpecSchema = z
  .object({
    kind: z.enum(['latency', 'error', 'rateLimit', 'timeout', 'drop', 'dropAfterApply']),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    status: z.number().int().min(500).max(599).optional(),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    /** Share of matching requests affected, 0..1 (default 1). */
    share: z.number().min(0).max(1).optional(),
    /** Regular expression tested against the path (without query). */
    pathPattern: z.string().max(500).optional(),
    method: z.string().max(10).optional(),
    host: z.enum(['api', 'login', 'any']).optional(),
    /** Affect only this many requests, then the fault removes itself. */
    count: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((f) => f.kind !== 'latency' || f.latencyMs !== undefined, { message: 'latency needs latencyMs' });

export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface Fault extends FaultSpec {
  id: string;
  remaining?: number;
  fired: number;
  regex?: RegExp;
}

export interface FaultOutcome {
  latencyMs: number;
  terminal?: Fault;
}

export class FaultTable {
  private faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    const fault: Fault = {
      ...spec,
      id: randomUUID(),
      remaining: spec.count,
      fired: 0,
      regex: spec.pathPattern ? new RegExp(spec.pathPattern) : undefined,
    };
    this.faults.push(fault);
    return fault;
  }

  list(): Omit<Fault, 'regex'>[] {
    return this.faults.map(({ regex: _regex, ...rest }) => rest);
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  get empty(): boolean {
    return this.faults.length === 0;
  }

  /** Decides what happens to one request; consumes counted faults as they fire. */
  evaluate(host: 'api' | 'login', method: string, path: string): FaultOutcome {
    const outcome: FaultOutcome = { latencyMs: 0 };
    for (const f of this.faults) {
      if (f.host && f.host !== 'any' && f.host !== host) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (f.regex && !f.regex.test(path)) continue;
      if (f.kind !== 'latency' && outcome.terminal) continue;
      if (f.share !== undefined && f.share < 1 && Math.random() >= f.share) continue;
      f.fired++;
      if (f.remaining !== undefined) f.remaining--;
      if (f.kind === 'latency') outcome.latencyMs += f.latencyMs ?? 0;
      else outcome.terminal = f;
    }
    this.faults = this.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
    return outcome;
  }
}
