import { processAlive, readStateFile, resolveDataDir, stateFilePath, type BridgeState } from '../stack/state-file';
import { OperatorError } from './errors';

const serviceVariables = ['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS'] as const;

export interface Discovered {
  /** The environment to read the config from: the operator's, with what the state file adds. */
  env: NodeJS.ProcessEnv;
  /** The running bridge the addresses came from; none when the variables named every service. */
  bridge?: { state: BridgeState; file: string; variables: string[] };
}

/**
 * How a command in another shell finds the bridge `npm start` (or the demo) runs: when DATABASE_URL, REDIS_URL
 * or TEMPORAL_ADDRESS is unset, it is taken from the state file of a live bridge in the data directory
 * (`npm start`'s first, then the demo's), with the schema, namespace, task queue and queue prefix the bridge
 * uses unless those are set too. No live bridge: one line saying how to start one or what to set.
 */
export function discoverBridge(env: NodeJS.ProcessEnv): Discovered {
  last = findBridge(env);
  return last;
}

let last: Discovered | undefined;

/** What the last `discoverBridge` of this process found (a CLI process runs one command). */
export function lastDiscovery(): Discovered | undefined {
  return last;
}

function findBridge(env: NodeJS.ProcessEnv): Discovered {
  // A config file (BRIDGE_CONFIG; how spawned workers get theirs) is an explicit configuration: it names the
  // services itself, so no state file is consulted.
  if (env.BRIDGE_CONFIG || serviceVariables.every((v) => env[v])) return { env };
  const dataDir = resolveDataDir(env);
  const candidates = (['service', 'demo'] as const).map((kind) => {
    const file = stateFilePath(dataDir, kind);
    return { file, state: readStateFile(file) };
  });
  const live = candidates.find((c) => c.state && processAlive(c.state.pid));
  if (!live?.state) {
    const stale = candidates.find((c) => c.state);
    const unset = serviceVariables.filter((v) => !env[v]).join(', ');
    if (stale?.state) {
      throw new OperatorError(
        `the bridge recorded in ${stale.file} (pid ${stale.state.pid}) is not running: start it with \`npm start\`${stale.state.kind === 'demo' ? ' (or `npm run demo`)' : ''}, or set ${unset}`,
      );
    }
    throw new OperatorError(
      `no running bridge found (no state file in ${dataDir}): start one with \`npm start\` or \`npm run demo\`, set BRIDGE_DATA_DIR to the data directory of the one that runs, or set ${unset}`,
    );
  }
  const merged: NodeJS.ProcessEnv = { ...env };
  const variables: string[] = [];
  for (const [name, value] of Object.entries(live.state.env)) {
    if (merged[name] || !value) continue;
    merged[name] = value;
    variables.push(name);
  }
  return { env: merged, bridge: { state: live.state, file: live.file, variables } };
}
