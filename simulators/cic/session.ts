import { randomBytes, randomInt } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { CicEvent } from './events';

/** A subscription turns store events into the ICWS messages its session should receive. */
export interface Subscription {
  /** Path below `/messaging/subscriptions/`, e.g. `configuration/users/sub-1`. */
  readonly key: string;
  initialMessage(): object;
  messageFor(event: CicEvent): object | undefined;
}

export interface SessionLimits {
  messageQueueLimit: number;
  /** Bytes an event stream may have unsent before the session is treated as a slow consumer. */
  streamBufferLimit: number;
  pingIntervalMs: number;
  retryMs: number;
}

export interface NewSession {
  userId: string;
  userDisplayName: string;
  applicationName: string;
  language: string;
}

/**
 * One ICWS session: its credentials (id, CSRF token, cookie), its subscriptions and its message queue. Messages
 * go to the open event stream if there is one, otherwise they wait in the queue for a short poll. A session
 * whose queue passes the limit is ended, as a server drops a consumer that does not keep up.
 */
export class IcwsSession {
  readonly id = String(randomInt(100_000_000, 2_000_000_000));
  readonly csrfToken = randomBytes(24).toString('base64');
  readonly cookieName = `icws_${this.id}`;
  readonly cookieValue = randomBytes(16).toString('hex');
  readonly createdAt = new Date();
  readonly subscriptions = new Map<string, Subscription>();
  ended = false;
  endReason?: string;
  delivered = 0;
  private queue: object[] = [];
  private stream?: ServerResponse;
  private pingTimer?: NodeJS.Timeout;

  constructor(
    readonly info: NewSession,
    private readonly limits: SessionLimits,
    private readonly onEnd: (session: IcwsSession, reason: string) => void,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  get streaming(): boolean {
    return this.stream !== undefined;
  }

  push(message: object): void {
    if (this.ended) return;
    if (this.stream) {
      this.stream.write(`data: ${JSON.stringify(message)}\n\n`);
      this.delivered++;
      if (this.stream.writableLength > this.limits.streamBufferLimit)
        this.end('The message stream fell too far behind.');
      return;
    }
    this.queue.push(message);
    if (this.queue.length > this.limits.messageQueueLimit) this.end('The message queue limit was exceeded.');
  }

  drain(): object[] {
    const messages = this.queue;
    this.queue = [];
    this.delivered += messages.length;
    return messages;
  }

  /** A second stream replaces the first, which is closed: one session has one message channel. */
  attachStream(res: ServerResponse): void {
    this.detachStream();
    this.stream = res;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.write(`retry: ${this.limits.retryMs}\n\n`);
    for (const message of this.drain()) res.write(`data: ${JSON.stringify(message)}\n\n`);
    this.pingTimer = setInterval(() => res.write(':ping\n\n'), this.limits.pingIntervalMs);
    this.pingTimer.unref();
    res.on('close', () => {
      if (this.stream === res) this.detachStream();
    });
  }

  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    this.queue = [];
    this.subscriptions.clear();
    this.detachStream();
    this.onEnd(this, reason);
  }

  private detachStream(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const stream = this.stream;
    this.stream = undefined;
    if (stream && !stream.writableEnded) stream.end();
  }
}
