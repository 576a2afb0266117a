/**
 * The primary (system) presence definitions, with the ids seen across real organizations (reference §5.1).
 * Clients must still resolve them through GET /api/v2/presence/definitions rather than hard-code them.
 */
export interface PresenceDefinition {
  id: string;
  systemPresence: string;
  /** The upper-snake form used by /api/v2/systempresences. */
  systemId: string;
}

export const SYSTEM_PRESENCE_DEFINITIONS: PresenceDefinition[] = [
  { id: '6a3af858-942f-489d-9700-5f9bcdcdae9b', systemPresence: 'Available', systemId: 'AVAILABLE' },
  { id: '5e5c5c66-ea97-4e7f-ac41-6424784829f2', systemPresence: 'Away', systemId: 'AWAY' },
  { id: '31fe3bac-dea6-44b7-bed7-47f91660a1a0', systemPresence: 'Busy', systemId: 'BUSY' },
  { id: 'ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5', systemPresence: 'Offline', systemId: 'OFFLINE' },
  { id: '7ffa01cd-7866-4ad7-8faa-31e11b42f51f', systemPresence: 'Idle', systemId: 'IDLE' },
  { id: 'e08eaf1b-ee47-4fa9-a231-1200e284798f', systemPresence: 'On Queue', systemId: 'ON_QUEUE' },
  { id: '3fd96123-badb-4f69-bc03-1b1ccc6d8014', systemPresence: 'Meal', systemId: 'MEAL' },
  { id: 'd2390a99-8546-bad9-8f0a-219548e8aeb0', systemPresence: 'Training', systemId: 'TRAINING' },
  { id: 'bbdff279-7ae1-48ea-bade-7831d7234c64', systemPresence: 'Meeting', systemId: 'MEETING' },
  { id: '227b37e2-f1d0-4dd0-8f50-badd7cf6d158', systemPresence: 'Break', systemId: 'BREAK' },
];

export const OFFLINE_DEFINITION_ID = 'ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5';

export const definitionsById = new Map(SYSTEM_PRESENCE_DEFINITIONS.map((d) => [d.id, d]));
