/**
 * A bare ICWS client for the simulator's tests and demos: it speaks the wire protocol (session id in the path,
 * CSRF header, cookie) and nothing more. The bridge has its own client; this one exists so the simulator can be
 * checked without it.
 */
export interface IcwsResponse {
  status: number;
  headers: Headers;
  body: any;
}

export interface ConnectOptions {
  userID: string;
  password: string;
  applicationName?: string;
  include?: string;
}

export class IcwsTestClient {
  private constructor(
    readonly baseUrl: string,
    readonly sessionId: string,
    readonly csrfToken: string,
    readonly cookie: string,
    readonly connection: any,
  ) {}

  static async connect(baseUrl: string, opts: ConnectOptions): Promise<IcwsTestClient> {
    const res = await postConnection(baseUrl, opts);
    if (res.status !== 201)
      throw new Error(`connect to ${baseUrl} failed: ${res.status} ${JSON.stringify(res.body)}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    return new IcwsTestClient(baseUrl, res.body.sessionId, res.body.csrfToken, cookie, res.body);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<IcwsResponse> {
    const res = await fetch(`${this.baseUrl}/icws/${this.sessionId}${path}`, {
      method,
      headers: {
        'ININ-ICWS-CSRF-Token': this.csrfToken,
        Cookie: this.cookie,
        'Accept-Language': 'en-us',
        ...(body === undefined ? {} : { 'Content-Type': 'application/vnd.inin.icws+JSON' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  async poll(): Promise<any[]> {
    const res = await this.request('GET', '/messaging/messages');
    if (res.status !== 200) throw new Error(`poll failed: ${res.status}`);
    return res.body;
  }

  /** Polls until a message satisfies `match`, or fails after `timeoutMs`. */
  async pollUntil(match: (message: any) => boolean, timeoutMs = 3000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = (await this.poll()).find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no matching message before the deadline');
  }

  async openEventStream(): Promise<EventStream> {
    const controller = new AbortController();
    const res = await fetch(`${this.baseUrl}/icws/${this.sessionId}/messaging/messages`, {
      headers: { Accept: 'text/event-stream', 'ININ-ICWS-CSRF-Token': this.csrfToken, Cookie: this.cookie },
      signal: controller.signal,
    });
    return new EventStream(res, controller);
  }
}

export function postConnection(
  baseUrl: string,
  opts: ConnectOptions,
  headers: Record<string, string> = { 'Accept-Language': 'en-us' },
) {
  const query = opts.include ? `?include=${opts.include}` : '';
  return fetch(`${baseUrl}/icws/connection${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.inin.icws+JSON', ...headers },
    body: JSON.stringify({
      __type: 'urn:inin.com:connection:icAuthConnectionRequestSettings',
      applicationName: opts.applicationName ?? 'cic-simulator-test',
      userID: opts.userID,
      password: opts.password,
    }),
  }).then(async (res) => ({
    status: res.status,
    headers: res.headers,
    body: JSON.parse((await res.text()) || 'null'),
  }));
}

/** Reads `data:` events, `:ping` comments and the `retry:` field of an ICWS event stream. */
export class EventStream {
  readonly events: any[] = [];
  pings = 0;
  retry?: number;
  ended = false;
  private waiters: (() => void)[] = [];

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    void this.read();
  }

  get status(): number {
    return this.response.status;
  }

  /** Resolves with the first event (already received or coming) that satisfies `match`. */
  async waitFor(match: (event: any) => boolean, timeoutMs = 3000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.ended) throw new Error('the event stream ended');
      if (Date.now() > deadline) throw new Error('no matching event before the deadline');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async waitForEnd(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the event stream did not end');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.controller.abort();
  }

  /** Line by line: the first message of a 100,000-user subscription is one line of tens of megabytes. */
  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let partial = '';
    let lines: string[] = [];
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        let from = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
          const line = partial + text.slice(from, nl);
          partial = '';
          from = nl + 1;
          if (line !== '') lines.push(line);
          else if (lines.length > 0) {
            this.handleBlock(lines);
            lines = [];
          }
        }
        partial += text.slice(from);
        this.wake();
      }
    } catch {
      // An aborted or cut stream simply ends; the tests look at `ended`.
    }
    this.ended = true;
    this.wake();
  }

  private handleBlock(lines: string[]): void {
    const data: string[] = [];
    for (const line of lines) {
      if (line === ':ping') this.pings++;
      else if (line.startsWith('retry:')) this.retry = Number(line.slice(6).trim());
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) this.events.push(JSON.parse(data.join('\n')));
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
