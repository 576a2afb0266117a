import type { IcwsSession } from './session';
import type { StatusMessage, UserStatus } from './types';

/** The status catalog. Status ids are compared without case, as CIC does. */
export async function listStatusMessages(session: IcwsSession): Promise<StatusMessage[]> {
  const res = await session.request<{ statusMessageList?: StatusMessage[] }>(
    'GET',
    '/status/status-messages',
  );
  return res.body?.statusMessageList ?? [];
}

export async function getUserStatus(session: IcwsSession, userId: string): Promise<UserStatus> {
  const res = await session.request<UserStatus>('GET', `/status/user-statuses/${encodeURIComponent(userId)}`);
  return res.body;
}

/** Sets a user's status; CIC answers 202 and reports the change through the status subscription. */
export async function setUserStatus(session: IcwsSession, userId: string, statusId: string): Promise<void> {
  await session.request('PUT', `/status/user-statuses/${encodeURIComponent(userId)}`, { body: { statusId } });
}
