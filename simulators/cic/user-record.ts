/**
 * The shape ICWS gives a user under `GET /icws/{sessionId}/configuration/users?select=*`, reduced to what the
 * bridge reads. Null and empty properties are left out, as ICWS leaves them out.
 */
export interface CicUserRecord {
  configurationId: ConfigurationId;
  personalInformationProperties?: PersonalInformationProperties;
  extension?: string;
  statusText?: string;
  /** ICWS date format, e.g. `20201029T082018Z`. */
  lastModifiedDate: string;
  createdDate: string;
}

export interface ConfigurationId {
  id: string;
  /** The Display Name, or the user id when the administrator left it empty (as Interaction Administrator shows it). */
  displayName: string;
  uri: string;
}

/**
 * Phone property names are our documented choice: the sources we have do not name them (see README).
 * `displayName` is present only when the administrator supplied one, so a reader can tell "Display Name = user id"
 * from "no Display Name".
 */
export interface PersonalInformationProperties {
  givenName?: string;
  surname?: string;
  displayName?: string;
  /** Interaction Administrator's "Business Email". */
  emailAddress?: string;
  businessNumber?: string;
  business2Number?: string;
  mobileNumber?: string;
  homeNumber?: string;
  faxNumber?: string;
  departmentName?: string;
  title?: string;
}

export const personalInformationKeys = [
  'givenName',
  'surname',
  'displayName',
  'emailAddress',
  'businessNumber',
  'business2Number',
  'mobileNumber',
  'homeNumber',
  'faxNumber',
  'departmentName',
  'title',
] as const satisfies readonly (keyof PersonalInformationProperties)[];

export const pureCloudAdminId = 'PureCloudAdmin';

export function userUri(id: string): string {
  return `/configuration/users/${encodeURIComponent(id)}`;
}

/** ICWS writes dates as `yyyyMMddTHHmmssZ`. */
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export function icwsDate(date: Date): string {
  return (
    `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}` +
    `T${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`
  );
}

/** Drops empty strings and empty objects, keeping the record as ICWS would return it. */
export function normalizeRecord(record: CicUserRecord): CicUserRecord {
  const id = record.configurationId.id;
  const pip: PersonalInformationProperties = {};
  for (const key of personalInformationKeys) {
    const value = record.personalInformationProperties?.[key];
    if (typeof value === 'string' && value !== '') pip[key] = value;
  }
  return {
    configurationId: { id, displayName: pip.displayName ?? id, uri: userUri(id) },
    ...(Object.keys(pip).length > 0 ? { personalInformationProperties: pip } : {}),
    ...(record.extension ? { extension: record.extension } : {}),
    ...(record.statusText ? { statusText: record.statusText } : {}),
    lastModifiedDate: record.lastModifiedDate,
    createdDate: record.createdDate,
  };
}
