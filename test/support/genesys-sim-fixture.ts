import { after, before, beforeEach } from 'node:test';
import {
  startGenesysSimulator,
  type GenesysSimulator,
  type GenesysSimulatorOptions,
} from '../../simulators/genesys';
import { clientToken } from '../../simulators/genesys/sim-client';

/**
 * One in-process simulator for the enclosing suite (or file), with fresh state for every test. The object
 * is filled in by before(), so a suite can bind it where it is declared, before the servers listen.
 */
export function useGenesysSimulator(opts: GenesysSimulatorOptions = {}): GenesysSimulator {
  const sim = {} as GenesysSimulator;
  before(async () => {
    Object.assign(sim, await startGenesysSimulator(opts));
  });
  after(() => sim.close());
  beforeEach(() => sim.state.reset());
  return sim;
}

/** The SCIM base URL and a client-credentials token, for suites that call SCIM over plain HTTP. */
export async function scimSession(sim: GenesysSimulator): Promise<{ base: string; token: string }> {
  return { base: `${sim.urls.api}/api/v2/scim/v2`, token: await clientToken(sim.urls.login) };
}
