import type { PairRequest } from '../operations/pairing';
import type { PairingOptions } from '../db/pairing';

/**
 * The pairing request for the bundled simulators' embedded defaults: organization `demo-org`, OAuth client
 * `demo-client` / `demo-secret`, CIC `PureCloudAdmin` / `admin-pass`. Used by the demo, tests and benchmarks.
 */
export function simulatorPairRequest(
  urls: { genesys: { api: string; login: string }; cic: { primary: string; backup: string } },
  options: Partial<PairingOptions> = {},
  overrides: Partial<PairRequest> = {},
): PairRequest {
  return {
    orgShortName: 'demo-org',
    apiUrl: urls.genesys.api,
    loginUrl: urls.genesys.login,
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    cicServers: [urls.cic.primary, urls.cic.backup],
    cicPassword: 'admin-pass',
    ...overrides,
    options: { ...options, ...overrides.options },
  };
}
