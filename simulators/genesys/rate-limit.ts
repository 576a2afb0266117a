/**
 * Fixed 60-second windows per key (the token by default), the way Genesys reports them in
 * `inin-ratelimit-count` / `-allowed` / `-reset`. A window starts at the key's first request.
 */
export interface RateDecision {
  count: number;
  allowed: number;
  resetSeconds: number;
  limited: boolean;
}

const WINDOW_MS = 60_000;

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(public perMinute: number) {}

  /** Counts the request and says whether it is over the limit; undefined when limiting is off. */
  hit(key: string, now = Date.now()): RateDecision | undefined {
    if (this.perMinute <= 0) return undefined;
    let w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(now);
    }
    w.count++;
    return {
      count: w.count,
      allowed: this.perMinute,
      resetSeconds: Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)),
      limited: w.count > this.perMinute,
    };
  }

  setLimit(perMinute: number): void {
    this.perMinute = perMinute;
  }

  reset(): void {
    this.windows.clear();
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
  }
}
