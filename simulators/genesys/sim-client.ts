/**
 * A tiny fetch wrapper for tests, the demo and benchmarks that talk to the simulator over HTTP. It is not
 * the bridge's Genesys client (that one lives in clients/) and deliberately hides nothing: status, headers
 * and parsed body come back as they were sent.
 */

export interface SimResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface SimRequest {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export async function simFetch<T = any>(url: string, req: SimRequest = {}): Promise<SimResponse<T>> {
  const headers: Record<string, string> = { ...req.headers };
  let body: string | Buffer | undefined = req.body;
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] ??= 'application/json';
  } else if (req.form) {
    body = new URLSearchParams(req.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, {
    method: req.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
    signal: req.signal,
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Client-credentials token from the login host. */
export async function clientToken(
  loginUrl: string,
  clientId = 'demo-client',
  secret = 'demo-secret',
): Promise<string> {
  const res = await simFetch(`${loginUrl}/oauth/token`, {
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    form: { grant_type: 'client_credentials' },
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.body.access_token;
}

export const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
