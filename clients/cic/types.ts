/** Shapes ICWS returns, kept as loose as the bridge can afford: domain code validates what it maps. */

export interface ConfigurationId {
  id: string;
  displayName?: string;
  uri?: string;
}

/**
 * A user as `GET /configuration/users?select=*` returns it. Null or empty properties are absent; in change
 * messages a property set to null means "cleared".
 */
export interface IcwsUserRecord {
  configurationId: ConfigurationId;
  personalInformationProperties?: Record<string, string | null | undefined>;
  lastModifiedDate?: string;
  [property: string]: unknown;
}

export interface StatusMessage {
  statusId: string;
  messageText: string;
  groupTag?: string;
  iconUri?: string;
  isDoNotDisturbStatus?: boolean;
  isSelectableStatus?: boolean;
  isPersistentStatus?: boolean;
  isForwardStatus?: boolean;
  isAfterCallWorkStatus?: boolean;
  isAcdStatus?: boolean;
  isAllowFollowUpStatus?: boolean;
  [property: string]: unknown;
}

export interface UserStatus {
  userId: string;
  statusId: string;
  /** ICWS date, e.g. `20210706T193229Z`. */
  statusChanged?: string;
  loggedIn?: boolean;
  onPhone?: boolean;
  onPhoneChanged?: string;
  stations?: string[];
  icServers?: string[];
  [property: string]: unknown;
}

export interface QueueId {
  /** 0 system, 1 user, 2 workgroup, 3 station. */
  queueType: 0 | 1 | 2 | 3;
  queueName: string;
}

export interface InteractionAttributes {
  interactionId: string;
  attributes: Record<string, string>;
}

export interface ConnectionResponse {
  sessionId?: string;
  csrfToken?: string;
  alternateHostList?: string[];
  icServer?: string;
  userID?: string;
  userDisplayName?: string;
  features?: { featureId: string; version: number }[];
}

/** ICWS writes dates as `yyyyMMddTHHmmssZ`; returns ISO 8601, or the input when it is in another form. */
export function icwsDateToIso(value: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(value ?? '');
  if (!m) return value;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${(m[7] ?? '000').padEnd(3, '0').slice(0, 3)}Z`;
}
