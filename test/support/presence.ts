import { SYSTEM_PRESENCE_DEFINITIONS } from '../../simulators/genesys';
import { statusCatalog } from '../../simulators/cic';
import { presenceForUserStatus } from '../../domain/presence-mapping';
import type { BridgeHarness } from './bridge-harness';
import { eventually } from './bridge-harness';

const systemPresenceOf = new Map(SYSTEM_PRESENCE_DEFINITIONS.map((d) => [d.id, d.systemPresence]));

/** The presence Genesys shows for a cloud user: its primary source's definition, with the source. */
export function shownPresence(h: BridgeHarness, cloudId: string): { presence: string | undefined; sourceId: string; updates: number } | undefined {
  const p = h.genesys.state.presence.get(cloudId);
  if (!p) return undefined;
  const entry = p.bySource.get(p.primarySourceId);
  return { presence: entry ? systemPresenceOf.get(entry.definitionId) : undefined, sourceId: p.primarySourceId, updates: p.updates };
}

/** CIC id → cloud id for every linked user (cloud users carry the CIC id as externalId). */
export async function linkedUsers(h: BridgeHarness): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const u of await h.cloudUsers()) if (u.externalId && u.active) out.set(u.externalId, u.id);
  return out;
}

/** What the default table says for a CIC user's current status in the simulator. */
export function expectedFor(h: BridgeHarness, cicId: string, overrides?: Record<string, any>): string {
  const s = h.cic.directory.getStatus(cicId)!;
  return presenceForUserStatus({ statusId: s.statusId, loggedIn: s.loggedIn ?? false }, statusCatalog, overrides);
}

export async function setStatus(h: BridgeHarness, cicId: string, update: { statusId?: string; loggedIn?: boolean }): Promise<void> {
  h.cic.directory.setStatus(cicId, { loggedIn: true, ...update });
}

/** Pairs, waits for the first pass, and for every linked user to show the bridge's presence for its status. */
export async function pairAndSettle(h: BridgeHarness, timeoutMs = 60_000): Promise<Map<string, string>> {
  await h.pair();
  const expectedLinks = h.cic.directory
    .list()
    .filter((u: any) => u.personalInformationProperties?.emailAddress && u.configurationId.id !== 'PureCloudAdmin').length;
  const links = await eventually('the first pass', async () => {
    const l = await linkedUsers(h);
    return l.size >= expectedLinks * 0.9 && l;
  }, timeoutMs);
  await allMatch(h, links, timeoutMs);
  return links;
}

/** Waits until every linked user shows (from the bridge's source, as primary) the presence of its CIC status. */
export async function allMatch(h: BridgeHarness, links: Map<string, string>, timeoutMs = 30_000, overrides?: Record<string, any>): Promise<void> {
  let wrong: string[] = [];
  await eventually(
    'every linked user on its final presence',
    async () => {
      wrong = [];
      for (const [cicId, cloudId] of links) {
        const shown = shownPresence(h, cloudId);
        const want = expectedFor(h, cicId, overrides);
        if (shown?.presence !== want || shown.sourceId === 'PURECLOUD') wrong.push(`${cicId}: ${shown?.presence ?? 'none'} ≠ ${want}`);
      }
      return wrong.length === 0;
    },
    timeoutMs,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}; wrong: ${wrong.slice(0, 10).join('; ')} (${wrong.length})`);
  });
}
