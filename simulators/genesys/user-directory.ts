import { randomUUID } from 'node:crypto';
import { ApiError } from './http';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA } from './scim-schema-defs';

/** A normalised SCIM user document: exactly what GET returns, minus `id`, `groups` and `meta`. */
export type UserDoc = Record<string, any> & { userName: string; displayName: string; active: boolean };
export type GroupDoc = Record<string, any> & {
  displayName: string;
  members: { value: string; display?: string }[];
};

export interface UserRecord {
  id: string;
  doc: UserDoc;
  version: number;
  created: string;
  lastModified: string;
  /** Passwords are write-only: only the fact that one was set is kept. */
  passwordSet: boolean;
  /** Serialised full representation, valid while `key` matches version and group epoch. */
  renderCache?: { key: string; json: string };
}

export interface GroupRecord {
  id: string;
  doc: GroupDoc;
  version: number;
  created: string;
  lastModified: string;
}

type MultiIndex = Map<string, Set<string>>;

function addTo(index: MultiIndex, key: string | undefined, id: string): void {
  if (key === undefined || key === '') return;
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: MultiIndex, key: string | undefined, id: string): void {
  if (key === undefined || key === '') return;
  const set = index.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) index.delete(key);
}

const lower = (v: unknown): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);

/**
 * Users and groups with the indexes every `eq` filter needs, so lookups never scan: id, lower-cased
 * userName (unique, inactive users included), externalId (case-exact, unique), every email, manager,
 * division and employeeNumber.
 */
export class UserDirectory {
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly byUserName = new Map<string, string>();
  readonly byExternalId = new Map<string, string>();
  readonly byEmail: MultiIndex = new Map();
  readonly byManager: MultiIndex = new Map();
  readonly byDivision: MultiIndex = new Map();
  readonly byEmployeeNumber: MultiIndex = new Map();
  readonly groupsOfUser: MultiIndex = new Map();
  activeCount = 0;
  /** Moves on every membership change, since a user's `groups` is derived from the groups. */
  groupsEpoch = 0;
  /** Moves on every user change; the listing below is rebuilt only then. */
  private usersEpoch = 0;
  private listing?: { epoch: number; active: boolean; users: UserRecord[] }[];

  /**
   * Users of one state in listing order, kept between requests while nothing changes, so paging through a
   * large directory costs each page its own size rather than a walk from the first user.
   */
  usersByState(active: boolean): UserRecord[] {
    const hit = this.listing?.find((l) => l.active === active && l.epoch === this.usersEpoch);
    if (hit) return hit.users;
    const users = [...this.users.values()].filter((u) => u.doc.active === active);
    this.listing = [...(this.listing ?? []).filter((l) => l.active !== active && l.epoch === this.usersEpoch), { epoch: this.usersEpoch, active, users }];
    return users;
  }

  private index(u: UserRecord): void {
    const d = u.doc;
    this.byUserName.set(d.userName.toLowerCase(), u.id);
    if (d.externalId !== undefined) this.byExternalId.set(d.externalId, u.id);
    addTo(this.byEmail, d.userName.toLowerCase(), u.id);
    for (const e of d.emails ?? []) addTo(this.byEmail, lower(e.value), u.id);
    const ent = d[ENTERPRISE_SCHEMA];
    addTo(this.byManager, ent?.manager?.value, u.id);
    addTo(this.byDivision, lower(ent?.division), u.id);
    addTo(this.byEmployeeNumber, lower(ent?.employeeNumber), u.id);
    if (d.active) this.activeCount++;
    this.usersEpoch++;
  }

  private unindex(u: UserRecord): void {
    const d = u.doc;
    this.byUserName.delete(d.userName.toLowerCase());
    if (d.externalId !== undefined) this.byExternalId.delete(d.externalId);
    removeFrom(this.byEmail, d.userName.toLowerCase(), u.id);
    for (const e of d.emails ?? []) removeFrom(this.byEmail, lower(e.value), u.id);
    const ent = d[ENTERPRISE_SCHEMA];
    removeFrom(this.byManager, ent?.manager?.value, u.id);
    removeFrom(this.byDivision, lower(ent?.division), u.id);
    removeFrom(this.byEmployeeNumber, lower(ent?.employeeNumber), u.id);
    if (d.active) this.activeCount--;
    this.usersEpoch++;
  }

  /** userName is unique case-insensitively across active and inactive users; externalId case-exactly. */
  private checkUnique(doc: UserDoc, selfId?: string): void {
    const owner = this.byUserName.get(doc.userName.toLowerCase());
    if (owner !== undefined && owner !== selfId) {
      throw new ApiError(409, `userName ${doc.userName} is already in use.`, { scimType: 'uniqueness' });
    }
    if (doc.externalId !== undefined) {
      const extOwner = this.byExternalId.get(doc.externalId);
      if (extOwner !== undefined && extOwner !== selfId) {
        throw new ApiError(409, `externalId ${doc.externalId} is already linked to another user.`, {
          scimType: 'uniqueness',
        });
      }
    }
  }

  createUser(doc: UserDoc, passwordSet: boolean, id: string = randomUUID()): UserRecord {
    if (this.users.has(id)) throw new ApiError(409, `User ${id} already exists.`, { scimType: 'uniqueness' });
    this.checkUnique(doc);
    const now = new Date().toISOString();
    const rec: UserRecord = { id, doc, version: 1, created: now, lastModified: now, passwordSet };
    this.users.set(id, rec);
    this.index(rec);
    return rec;
  }

  /** Replaces the document; the version moves only when something actually changed. */
  updateUser(rec: UserRecord, doc: UserDoc, passwordSet: boolean): UserRecord {
    this.checkUnique(doc, rec.id);
    const changed = passwordSet || JSON.stringify(doc) !== JSON.stringify(rec.doc);
    if (!changed) return rec;
    this.unindex(rec);
    rec.doc = doc;
    rec.passwordSet ||= passwordSet;
    rec.version++;
    rec.lastModified = new Date().toISOString();
    this.index(rec);
    return rec;
  }

  deleteUser(rec: UserRecord): void {
    this.unindex(rec);
    this.users.delete(rec.id);
    for (const gid of this.groupsOfUser.get(rec.id) ?? []) {
      const g = this.groups.get(gid);
      if (!g) continue;
      g.doc = { ...g.doc, members: g.doc.members.filter((m) => m.value !== rec.id) };
      g.version++;
      g.lastModified = new Date().toISOString();
      this.groupsEpoch++;
    }
    this.groupsOfUser.delete(rec.id);
  }

  userByName(userName: string): UserRecord | undefined {
    const id = this.byUserName.get(userName.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  createGroup(displayName: string, id: string = randomUUID()): GroupRecord {
    const now = new Date().toISOString();
    const rec: GroupRecord = {
      id,
      doc: { schemas: [GROUP_SCHEMA], displayName, members: [] },
      version: 1,
      created: now,
      lastModified: now,
    };
    this.groups.set(id, rec);
    return rec;
  }

  updateGroup(rec: GroupRecord, doc: GroupDoc): GroupRecord {
    if (JSON.stringify(doc) === JSON.stringify(rec.doc)) return rec;
    for (const m of rec.doc.members) removeFrom(this.groupsOfUser, m.value, rec.id);
    rec.doc = doc;
    for (const m of doc.members) addTo(this.groupsOfUser, m.value, rec.id);
    this.groupsEpoch++;
    rec.version++;
    rec.lastModified = new Date().toISOString();
    return rec;
  }

  groupByDisplayName(name: string): GroupRecord[] {
    const l = name.toLowerCase();
    return [...this.groups.values()].filter((g) => g.doc.displayName.toLowerCase() === l);
  }
}
