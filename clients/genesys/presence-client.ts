import { GenesysApiError } from './errors';
import type { HttpClient } from './http';
import type {
  PresenceChange,
  PresenceClient,
  PresenceDefinition,
  PresenceSource,
  UserPresence,
} from './presence-types';

export type * from './presence-types';

interface Listing<T> {
  entities?: T[];
  pageCount?: number;
}

const norm = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');

function body(change: PresenceChange) {
  return {
    ...(change.definitionId ? { presenceDefinition: { id: change.definitionId } } : {}),
    ...(change.primary !== undefined ? { primary: change.primary } : {}),
    ...(change.message !== undefined ? { message: change.message } : {}),
  };
}

/**
 * Presence writes from the bridge's own registered source. Every call is `high` priority: a stale agent
 * status costs more than a late profile edit. `bulkMax` (default 50, the documented bulk-read maximum;
 * the bulk-write maximum is not documented) sizes the chunks of setPresenceBulk.
 */
export function createPresenceClient(opts: { http: HttpClient; bulkMax?: number }): PresenceClient {
  const { http } = opts;
  const bulkMax = opts.bulkMax ?? 50;
  let definitions: Map<string, string> | undefined;

  async function listAll<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const res = await http.request<Listing<T>>({
        method: 'GET',
        path,
        query: { pageSize: 100, pageNumber: page },
        priority: 'high',
      });
      out.push(...(res.body.entities ?? []));
      if (page >= (res.body.pageCount ?? 1)) return out;
    }
  }

  const listDefinitions = () => listAll<PresenceDefinition>('/api/v2/presence/definitions');
  const listSources = () => listAll<PresenceSource>('/api/v2/presence/sources');
  const byName = (all: PresenceSource[], name: string) =>
    all.find((s) => !s.deactivated && s.name.toLowerCase() === name.toLowerCase());

  return {
    listDefinitions,

    async resolveSystemPresence(name) {
      if (!definitions?.has(norm(name))) {
        // Primary definitions are type System; secondary (admin-made) ones share their systemPresence.
        const all = (await listDefinitions()).filter((d) => !d.deactivated && d.systemPresence);
        const ordered = [
          ...all.filter((d) => d.type !== 'System'),
          ...all.filter((d) => d.type === 'System'),
        ];
        definitions = new Map(ordered.map((d) => [norm(d.systemPresence!), d.id]));
      }
      const id = definitions.get(norm(name));
      if (id) return id;
      const message = `no presence definition for system presence ${name}`;
      throw new GenesysApiError({ type: 'GenesysNotFound', status: 404, message, retryable: false });
    },

    async ensureSource(name, description) {
      const existing = byName(await listSources(), name);
      if (existing) return existing;
      try {
        const res = await http.request<PresenceSource>({
          method: 'POST',
          path: '/api/v2/presence/sources',
          body: { name, ...(description ? { description } : {}) },
          priority: 'high',
        });
        return res.body;
      } catch (err) {
        // Another process registered it between our list and our create.
        if (!(err instanceof GenesysApiError) || err.status !== 409) throw err;
        const raced = byName(await listSources(), name);
        if (raced) return raced;
        throw err;
      }
    },

    async setPresence(userId, sourceId, change) {
      const path = `/api/v2/users/${encodeURIComponent(userId)}/presences/${encodeURIComponent(sourceId)}`;
      // Setting an absolute presence twice has the same effect as once, so a PATCH here is safe to repeat.
      const res = await http.request<UserPresence>({
        method: 'PATCH',
        path,
        body: body(change),
        priority: 'high',
        idempotent: true,
      });
      return res.body;
    },

    async setPresenceBulk(items) {
      const out: UserPresence[] = [];
      for (let i = 0; i < items.length; i += bulkMax) {
        const chunk = items
          .slice(i, i + bulkMax)
          .map((it) => ({ id: it.userId, sourceId: it.sourceId, ...body(it) }));
        const res = await http.request<UserPresence[]>({
          method: 'PUT',
          path: '/api/v2/users/presences/bulk',
          body: chunk,
          priority: 'high',
        });
        out.push(...(res.body ?? []));
      }
      return out;
    },
  };
}
