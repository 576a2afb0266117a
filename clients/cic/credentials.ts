import { AuthenticationFailedError } from './errors';
import { IcwsSession } from './session';

export type VerifyCredentialsResult =
  | { ok: true; userId: string; displayName: string }
  | { ok: false; reason: 'invalid-credentials' | 'server-unavailable'; message: string };

/**
 * Checks a CIC user id and password by opening a session as that user and closing it at once, so the bridge's
 * SAML IdP never stores CIC credentials. "Wrong password" and "CIC unreachable" are told apart because the
 * login page says different things for them.
 */
export async function verifyCredentials(opts: {
  servers: string[];
  userId: string;
  password: string;
  applicationName?: string;
  timeoutMs?: number;
}): Promise<VerifyCredentialsResult> {
  let session: IcwsSession;
  try {
    session = await IcwsSession.connect({
      ...opts,
      applicationName: opts.applicationName ?? 'cloud-bridge sign-in',
    });
  } catch (err) {
    if (err instanceof AuthenticationFailedError)
      return { ok: false, reason: 'invalid-credentials', message: err.message };
    return { ok: false, reason: 'server-unavailable', message: (err as Error).message };
  }
  await session.close();
  return { ok: true, userId: session.userId, displayName: session.userDisplayName || session.userId };
}
