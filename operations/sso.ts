import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { getPairing } from '../db/pairing';
import { listIdpKeys } from '../db/idp-keys';
import { countSsoStates, type SsoLinkRow } from '../db/sso-links';
import { describeKey, stageNextKey, type KeyMaterial } from '../idp/keys';
import { accountLinkingWorkflow } from '../workflows';
import { accountLinkingWorkflowId, backfillSignal, keysChangedSignal, progressQuery, type AccountLinkingProgress } from '../workflows/account-linking-api';
import { PairingError } from './pairing';

type Deps = { db: Db; temporal: Client; taskQueue: string; secretKey: string | undefined };

async function requirePairing(db: Db) {
  const p = await getPairing(db);
  if (!p) throw new PairingError('this bridge is not paired: run `bridge pair` first');
  return p;
}

/** Signals the pairing's account-linking workflow, starting it if it is not running. */
async function signalLinking(deps: Deps, org: string, signal: typeof backfillSignal | typeof keysChangedSignal, args: unknown[]) {
  await deps.temporal.workflow.signalWithStart(accountLinkingWorkflow, {
    workflowId: accountLinkingWorkflowId(org),
    taskQueue: deps.taskQueue,
    args: [{ orgShortName: org }],
    searchAttributes: { BridgeOrg: [org], BridgeKind: ['account-linking'] },
    signal: signal as typeof backfillSignal,
    signalArgs: args as [{ requestedBy?: string }],
  });
}

/**
 * `bridge idp rotate-key` / `import-key`: stages the next key, then lets the workflow publish and register it
 * beside the current one and switch. Resolves when the switch is done (no 'next' key left) or at `timeoutMs`.
 */
export async function rotateSigningKey(deps: Deps, imported?: KeyMaterial, opts: { timeoutMs?: number; onProgress?: (p: AccountLinkingProgress) => void } = {}) {
  const p = await requirePairing(deps.db);
  const id = await stageNextKey(deps.db, deps.secretKey, p.orgShortName, imported);
  await signalLinking(deps, p.orgShortName, keysChangedSignal, []);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const keys = await listIdpKeys(deps.db);
    if (keys.find((k) => k.id === id)?.status === 'current') return { switchedTo: id };
    if (Date.now() > deadline) throw new Error(`the rotation to key ${id} has not finished yet; see bridge idp status`);
    const progress = await linkingProgress(deps, p.orgShortName).catch(() => undefined);
    if (progress) opts.onProgress?.(progress);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function requestLinkProof(deps: Deps) {
  const p = await requirePairing(deps.db);
  await signalLinking(deps, p.orgShortName, backfillSignal, [{ requestedBy: 'bridge idp verify-links' }]);
  return accountLinkingWorkflowId(p.orgShortName);
}

export function linkingProgress(deps: { temporal: Client }, org: string): Promise<AccountLinkingProgress> {
  return deps.temporal.workflow.getHandle(accountLinkingWorkflowId(org)).query(progressQuery);
}

/** `bridge idp status`: the keys with their expiry, the registration and the proof counts. */
export async function idpStatus(deps: { db: Db; temporal: Client }) {
  const p = await requirePairing(deps.db);
  return {
    keys: (await listIdpKeys(deps.db)).map(describeKey),
    workflow: await linkingProgress(deps, p.orgShortName).catch((err: Error) => ({ unavailable: err.message })),
    links: await countSsoStates(deps.db),
  };
}

/** How `bridge users` / `bridge user` show a link's SSO proof: Linked until proved, then Verified or Failed. */
export function describeSso(link: { state: string; genesysId?: string | null }, proof: SsoLinkRow | undefined): string {
  if (link.state !== 'synced' || !link.genesysId) return '';
  if (!proof) return 'SSO: Linked';
  return proof.state === 'failed' ? `SSO: Failed: ${proof.reason ?? 'unknown'}` : `SSO: ${proof.state === 'verified' ? 'Verified' : 'Linked'}`;
}
