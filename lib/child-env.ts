/** Variables that carry secrets: no child process gets them through its environment. */
export const secretEnvNames = ['BRIDGE_SECRET_KEY', 'BRIDGE_SECRET_KEY_PREVIOUS', 'BRIDGE_CLIENT_SECRET', 'BRIDGE_CIC_PASSWORD', 'BRIDGE_CODEC_TOKEN'];

/**
 * The environment for a child process that needs none of our secrets (PostgreSQL, Redis, Temporal, a load
 * generator): ours minus the secret variables, since any process of the same user can read another's
 * environment (`/proc/<pid>/environ`, `ps e`).
 */
export function envWithoutSecrets(env: NodeJS.ProcessEnv = process.env, alsoDrop: readonly string[] = []): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of [...secretEnvNames, ...alsoDrop]) delete out[name];
  return out;
}
