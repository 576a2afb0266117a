import type { HealthProvider } from './providers';
import { cicRow, pairingRow } from './pairing-rows';
import { genesysRow } from './genesys-row';
import { directoryRow } from './directory-row';
import { ssoRow } from './sso-row';
import { presenceRow } from './presence-row';
import { conduitRow } from './conduit-row';

/**
 * A row for a part this version does not have. Amber rather than green: the bridge does not do that part
 * yet, which an operator comparing it with the incumbent integration must see.
 */
export function notBuiltRow(name: string, what: string): HealthProvider {
  return {
    name,
    check: async () => ({ status: 'amber', reason: `not built in this version: ${what}`, facts: { built: false } }),
  };
}

/** The rows of the health page, in order. */
export const healthProviders: HealthProvider[] = [
  pairingRow,
  cicRow,
  genesysRow,
  directoryRow,
  presenceRow,
  ssoRow,
  conduitRow,
];
