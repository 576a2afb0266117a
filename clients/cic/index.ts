export * from './errors';
export { IcwsSession, type ConnectOptions, type RequestOptions } from './session';
export { verifyCredentials, type VerifyCredentialsResult } from './credentials';
export { listUsers, readAllUsers, getUser, userExists, type ListUsersOptions } from './configuration';
export { listStatusMessages, getUserStatus, setUserStatus } from './status';
export * from './subscriptions';
export { messages, type MessagesOptions } from './messaging';
export { parseMessage, type IcwsMessage } from './messages';
export { watchCic, type WatchCicOptions, type CicWatchState } from './watcher';
export type { WatchSubscriptions } from './watch-session';
export type { CicWatchEvent } from './watch-events';
export { resolveAlternateHost } from './servers';
export { alternateHostPolicy, type AlternateHostPolicy } from './alternate-hosts';
export {
  icwsDateToIso,
  type IcwsUserRecord,
  type StatusMessage,
  type UserStatus,
  type QueueId,
  type InteractionAttributes,
} from './types';
