export interface RequestLogEntry {
  at: string;
  host: 'api' | 'login';
  method: string;
  path: string;
  template: string;
  /** HTTP status, or 0 when the connection was dropped or left hanging by a fault. */
  status: number;
  outcome: 'response' | 'dropped' | 'hung' | 'aborted';
  durationMs: number;
  clientId?: string;
}

/**
 * The last `capacity` requests in a ring, plus counts by method, path template and status that are never
 * truncated, so a benchmark's totals stay exact while memory stays flat.
 */
export class RequestLog {
  private ring: RequestLogEntry[] = [];
  private next = 0;
  private readonly counts = new Map<string, number>();
  total = 0;

  constructor(private readonly capacity = 5000) {}

  record(e: RequestLogEntry): void {
    this.total++;
    const key = `${e.method} ${e.template} ${e.status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.ring.length < this.capacity) this.ring.push(e);
    else this.ring[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Entries oldest first. */
  entries(limit = this.capacity): RequestLogEntry[] {
    const ordered =
      this.ring.length < this.capacity
        ? this.ring
        : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  countsList(): { method: string; template: string; status: number; count: number }[] {
    return [...this.counts].map(([key, count]) => {
      const [method, template, status] = key.split(' ');
      return { method, template, status: Number(status), count };
    });
  }

  /** Sum of counts matching the given method/template/status (any when omitted). */
  count(filter: { method?: string; template?: string; status?: number } = {}): number {
    let n = 0;
    for (const c of this.countsList()) {
      if (filter.method && c.method !== filter.method) continue;
      if (filter.template && c.template !== filter.template) continue;
      if (filter.status !== undefined && c.status !== filter.status) continue;
      n += c.count;
    }
    return n;
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
    this.counts.clear();
    this.total = 0;
  }
}
