/** Presence API shapes (Genesys Platform API, `/api/v2/presence/...` and `/api/v2/users/.../presences`). */

export interface PresenceDefinition {
  id: string;
  systemPresence?: string;
  type?: string;
  deactivated?: boolean;
  languageLabels?: Record<string, string>;
}

export interface PresenceSource {
  id: string;
  name: string;
  description?: string;
  deactivated?: boolean;
}

export interface PresenceChange {
  definitionId?: string;
  /** Makes this source the user's primary one, whose presence Genesys shows. */
  primary?: boolean;
  message?: string;
}

export interface UserPresence {
  userId?: string;
  sourceId?: string;
  primary?: boolean;
  presenceDefinition?: { id: string; systemPresence?: string };
  message?: string;
}

export interface PresenceClient {
  listDefinitions(): Promise<PresenceDefinition[]>;
  /** The org's primary definition id for a system presence ('Available', 'On Queue', 'ON_QUEUE'...). */
  resolveSystemPresence(name: string): Promise<string>;
  /** Finds the registered source with this name, creating it when missing. */
  ensureSource(name: string, description?: string): Promise<PresenceSource>;
  setPresence(userId: string, sourceId: string, change: PresenceChange): Promise<UserPresence>;
  setPresenceBulk(items: ({ userId: string; sourceId: string } & PresenceChange)[]): Promise<UserPresence[]>;
}
