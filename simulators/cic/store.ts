import { statusCatalog, type StatusMessage } from './status-catalog';
import {
  icwsDate,
  normalizeRecord,
  pureCloudAdminId,
  type CicUserRecord,
  type PersonalInformationProperties,
} from './user-record';

/** A user's presence as `GET /status/user-statuses/{userId}` and the status subscription report it. */
export interface UserStatus {
  userId: string;
  statusId: string;
  statusChanged: string;
  loggedIn: boolean;
  onPhone: boolean;
  onPhoneChanged: string;
  stations: string[];
  icServers: string[];
}

export interface UserPatch {
  personalInformationProperties?: { [K in keyof PersonalInformationProperties]?: string | null };
  extension?: string | null;
  statusText?: string | null;
}

export type StoreEvent =
  | {
      kind: 'users';
      added: CicUserRecord[];
      changed: { before: CicUserRecord; after: CicUserRecord }[];
      removed: CicUserRecord[];
    }
  | { kind: 'statuses'; statuses: UserStatus[] }
  | { kind: 'status-messages'; added: StatusMessage[]; changed: StatusMessage[]; removed: string[] };

/** Thrown by store operations that name a user that is not there, or is already there. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
  constructor(
    message: string,
    readonly code: 'notFound' | 'exists' | 'invalid',
  ) {
    super(message);
  }
}

export interface DirectoryStoreOptions {
  users: CicUserRecord[];
  pureCloudAdminPassword?: string;
  userPasswords?: Record<string, string>;
}

const defaultPassword = 'password';

/**
 * The one CIC database behind both servers of a switchover pair: users (and the removed ones, so they can be
 * restored), passwords and user statuses. Ids are case-insensitive, as in CIC. Every change is announced to the
 * listeners synchronously, so a message is queued before the admin call that caused it returns.
 */
export class DirectoryStore {
  private readonly users = new Map<string, CicUserRecord>();
  private readonly removedUsers = new Map<string, CicUserRecord>();
  private readonly passwords = new Map<string, string>();
  private readonly statuses = new Map<string, UserStatus>();
  private readonly catalog = new Map(statusCatalog.map((s) => [s.statusId.toLowerCase(), { ...s }]));
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  /** Bumped on every user change; list caches key on it. */
  version = 0;

  constructor(opts: DirectoryStoreOptions) {
    for (const record of opts.users) this.insert(normalizeRecord(record));
    this.passwords.set(pureCloudAdminId.toLowerCase(), opts.pureCloudAdminPassword ?? 'admin-pass');
    for (const [id, password] of Object.entries(opts.userPasswords ?? {}))
      this.passwords.set(id.toLowerCase(), password);
  }

  on(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.users.size;
  }

  list(): CicUserRecord[] {
    return [...this.users.values()];
  }

  get(id: string): CicUserRecord | undefined {
    return this.users.get(id.toLowerCase());
  }

  listRemoved(): CicUserRecord[] {
    return [...this.removedUsers.values()];
  }

  add(record: CicUserRecord): CicUserRecord {
    const key = record.configurationId.id.toLowerCase();
    if (this.users.has(key))
      throw new DirectoryError(`User ${record.configurationId.id} already exists`, 'exists');
    this.removedUsers.delete(key);
    const stored = this.insert(normalizeRecord(record), true);
    this.version++;
    this.emit({ kind: 'users', added: [stored], changed: [], removed: [] });
    return stored;
  }

  change(id: string, patch: UserPatch): CicUserRecord {
    const before = this.require(id);
    const pip: Record<string, string | null | undefined> = { ...before.personalInformationProperties };
    Object.assign(pip, patch.personalInformationProperties ?? {});
    const candidate = normalizeRecord({
      ...before,
      personalInformationProperties: pip as PersonalInformationProperties,
      extension: patch.extension === undefined ? before.extension : (patch.extension ?? undefined),
      statusText: patch.statusText === undefined ? before.statusText : (patch.statusText ?? undefined),
    });
    if (JSON.stringify(candidate) === JSON.stringify(before)) return before;
    const after = { ...candidate, lastModifiedDate: icwsDate(new Date()) };
    this.users.set(id.toLowerCase(), after);
    this.version++;
    this.emit({ kind: 'users', added: [], changed: [{ before, after }], removed: [] });
    return after;
  }

  remove(id: string): CicUserRecord {
    const record = this.require(id);
    this.users.delete(id.toLowerCase());
    this.removedUsers.set(id.toLowerCase(), record);
    this.version++;
    this.emit({ kind: 'users', added: [], changed: [], removed: [record] });
    return record;
  }

  restore(id: string): CicUserRecord {
    const record = this.removedUsers.get(id.toLowerCase());
    if (!record) throw new DirectoryError(`No removed user ${id}`, 'notFound');
    return this.add({ ...record, lastModifiedDate: icwsDate(new Date()) });
  }

  /** Swaps in a whole directory and announces the difference as one message, as a bulk import would. */
  replace(records: CicUserRecord[]): { added: number; changed: number; removed: number } {
    const next = new Map(records.map((r) => [r.configurationId.id.toLowerCase(), normalizeRecord(r)]));
    const event: StoreEvent & { kind: 'users' } = { kind: 'users', added: [], changed: [], removed: [] };
    for (const [key, before] of this.users) {
      const after = next.get(key);
      if (!after) {
        event.removed.push(before);
        this.removedUsers.set(key, before);
      } else if (JSON.stringify(after) !== JSON.stringify(before)) event.changed.push({ before, after });
    }
    for (const [key, record] of next) if (!this.users.has(key)) event.added.push(record);
    this.users.clear();
    for (const record of next.values()) this.insert(record);
    this.version++;
    this.emit(event);
    return { added: event.added.length, changed: event.changed.length, removed: event.removed.length };
  }

  checkPassword(id: string, password: string): boolean {
    if (!this.users.has(id.toLowerCase())) return false;
    return (this.passwords.get(id.toLowerCase()) ?? defaultPassword) === password;
  }

  setPassword(id: string, password: string): void {
    this.passwords.set(id.toLowerCase(), password);
  }

  getStatus(id: string): UserStatus | undefined {
    if (!this.users.has(id.toLowerCase())) return undefined;
    return this.statuses.get(id.toLowerCase());
  }

  /** `statusId` is stored as given once it matches a catalog entry case-insensitively, as CIC does. */
  setStatus(
    id: string,
    update: Partial<Pick<UserStatus, 'statusId' | 'loggedIn' | 'onPhone' | 'stations'>>,
  ): UserStatus {
    const current = this.getStatus(id);
    if (!current) throw new DirectoryError(`User ${id} does not exist`, 'notFound');
    if (update.statusId !== undefined && !this.findStatusMessage(update.statusId)) {
      throw new DirectoryError(`Unknown status ${update.statusId}`, 'invalid');
    }
    const now = icwsDate(new Date());
    const next: UserStatus = { ...current, ...stripUndefined(update) };
    if (update.statusId !== undefined && update.statusId !== current.statusId) next.statusChanged = now;
    if (update.onPhone !== undefined && update.onPhone !== current.onPhone) next.onPhoneChanged = now;
    if (update.loggedIn === false) next.stations = [];
    if (JSON.stringify(next) === JSON.stringify(current)) return current;
    this.statuses.set(id.toLowerCase(), next);
    this.emit({ kind: 'statuses', statuses: [next] });
    return next;
  }

  /** The status catalog (`GET /status/status-messages`); ids compare without case, as in CIC. */
  statusMessages(): StatusMessage[] {
    return [...this.catalog.values()];
  }

  findStatusMessage(statusId: string): StatusMessage | undefined {
    return this.catalog.get(statusId.toLowerCase());
  }

  /** Adds a status message, or changes the one with that id (fields not given keep their value). */
  putStatusMessage(update: Partial<StatusMessage> & { statusId: string }): StatusMessage {
    const key = update.statusId.toLowerCase();
    const before = this.catalog.get(key);
    const base = before ?? { ...statusCatalog[0], statusId: update.statusId, messageText: update.statusId, groupTag: '', systemId: update.statusId, isAcdStatus: false, isAllowFollowUpStatus: false };
    const next: StatusMessage = { ...base, ...update, statusId: before?.statusId ?? update.statusId };
    this.catalog.set(key, next);
    this.emit({ kind: 'status-messages', added: before ? [] : [next], changed: before ? [next] : [], removed: [] });
    return next;
  }

  removeStatusMessage(statusId: string): void {
    const found = this.catalog.get(statusId.toLowerCase());
    if (!found) throw new DirectoryError(`Unknown status ${statusId}`, 'notFound');
    this.catalog.delete(statusId.toLowerCase());
    this.emit({ kind: 'status-messages', added: [], changed: [], removed: [found.statusId] });
  }

  /** Users of a seeded directory start with a spread of statuses; one added later starts Available, logged out. */
  private insert(record: CicUserRecord, fresh = false): CicUserRecord {
    const key = record.configurationId.id.toLowerCase();
    this.users.set(key, record);
    if (!this.statuses.has(key))
      this.statuses.set(key, fresh ? newUserStatus(record) : initialStatus(record));
    else this.statuses.set(key, { ...this.statuses.get(key)!, userId: record.configurationId.id });
    return record;
  }

  private require(id: string): CicUserRecord {
    const record = this.get(id);
    if (!record) throw new DirectoryError(`User ${id} does not exist`, 'notFound');
    return record;
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A spread of statuses that is the same for the same user id. A few carry a status id in a different letter
 * case than the catalog, as real servers return them, so readers must compare ids case-insensitively.
 */
const initialStatuses: [number, string, boolean][] = [
  [0.4, 'Gone Home', false],
  [0.7, 'Available', true],
  [0.8, 'Away from desk', true],
  [0.85, 'At Lunch', true],
  [0.9, 'In a meeting', true],
  [0.94, 'Do Not Disturb', true],
  [0.97, 'Follow Up', true],
  [0.99, 'Do Not disturb', true],
  [1, 'available', true],
];

function initialStatus(record: CicUserRecord): UserStatus {
  const id = record.configurationId.id;
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  const roll = (hash >>> 0) / 4294967296;
  const [, statusId, loggedIn] = initialStatuses.find(([limit]) => roll < limit)!;
  const station = record.extension ? `STA${record.extension}` : `STA-${id}`;
  return {
    userId: id,
    statusId,
    statusChanged: record.lastModifiedDate,
    loggedIn,
    onPhone: false,
    onPhoneChanged: record.lastModifiedDate,
    stations: loggedIn ? [station] : [],
    icServers: [],
  };
}

function newUserStatus(record: CicUserRecord): UserStatus {
  const id = record.configurationId.id;
  return {
    userId: id,
    statusId: 'Available',
    statusChanged: record.lastModifiedDate,
    loggedIn: false,
    onPhone: false,
    onPhoneChanged: record.lastModifiedDate,
    stations: [],
    icServers: [],
  };
}
