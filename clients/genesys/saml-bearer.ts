import { classifyNetworkFailure, classifyResponse } from './classify';
import { GenesysApiError } from './errors';

/** Thrown when the org refuses an assertion in the SAML2-bearer grant (`invalid_grant`): the reason is Genesys's. */
export class SamlGrantRefusedError extends GenesysApiError {
  constructor(message: string, status: number) {
    super({ type: 'SamlGrantRefused', status, message, retryable: false, code: 'invalid_grant' });
  }
}

export interface BearerExchange {
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  orgName: string;
  /** Base64 of a signed `saml:Assertion` whose Recipient is the token endpoint. */
  assertion: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface UserToken {
  accessToken: string;
  expiresIn: number;
}

function deadline(signal: AbortSignal | undefined, timeoutMs = 15_000) {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { timeout, signal: signal ? AbortSignal.any([signal, timeout]) : timeout };
}

/**
 * RFC 7522 grant at `{loginUrl}/oauth/token` with Genesys's `orgName`: the OAuth client authenticates with
 * Basic, the assertion names the user. The token is handed back, never stored or logged.
 */
export async function exchangeSamlBearer(x: BearerExchange): Promise<UserToken> {
  const url = new URL('/oauth/token', x.loginUrl).toString();
  const what = `POST ${url} (saml2-bearer)`;
  const { timeout, signal } = deadline(x.signal, x.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${x.clientId}:${x.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer', orgName: x.orgName, assertion: x.assertion }).toString(),
      signal,
    });
  } catch (err) {
    if (x.signal?.aborted) throw x.signal.reason;
    throw classifyNetworkFailure(what, err, timeout.aborted);
  }
  const body: any = await res.json().catch(() => undefined);
  if (res.status === 400 && body?.error === 'invalid_grant') {
    throw new SamlGrantRefusedError(`the organization refused the assertion: ${String(body.error_description ?? 'invalid_grant')}`, res.status);
  }
  if (!res.ok) throw classifyResponse(what, res.status, res.headers, body);
  if (typeof body?.access_token !== 'string') throw new SamlGrantRefusedError(`${what}: no access_token in the answer`, res.status);
  return { accessToken: body.access_token, expiresIn: Number(body.expires_in) || 0 };
}

/** `GET /api/v2/users/me` with a user token: who the token really belongs to. */
export async function fetchTokenUser(apiUrl: string, token: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ id: string; email?: string }> {
  const url = new URL('/api/v2/users/me', apiUrl).toString();
  const { timeout, signal } = deadline(opts.signal, opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, signal });
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw classifyNetworkFailure(`GET ${url}`, err, timeout.aborted);
  }
  const body: any = await res.json().catch(() => undefined);
  if (!res.ok) throw classifyResponse(`GET ${url}`, res.status, res.headers, body);
  return { id: String(body?.id), email: body?.email };
}
