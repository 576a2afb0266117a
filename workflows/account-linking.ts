import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createAccountLinkingActivities } from '../activities/account-linking';
import { dbActivity, genesysCall, longPage } from './activity-options';
import {
  backfillSignal,
  keysChangedSignal,
  progressQuery,
  type AccountLinkingProgress,
  type AccountLinkingWorkflowInput,
} from './account-linking-api';

type Activities = ReturnType<typeof createAccountLinkingActivities>;

const terminal = ['PairingMissing', 'GenesysAuth', 'SecretError', 'NoSigningKeyError'];
const call = proxyActivities<Activities>({ ...genesysCall, retry: { ...genesysCall.retry, maximumAttempts: 8, nonRetryableErrorTypes: terminal } });
const proveOptions = {
  ...longPage,
  // Above the longest wait a page can meet: a 429 Retry-After of a minute on one user's exchange.
  heartbeatTimeout: '90 seconds',
  retry: { ...longPage.retry, maximumAttempts: 10, nonRetryableErrorTypes: terminal },
};
const legacy = { db: proxyActivities<Activities>(dbActivity), prove: proxyActivities<Activities>(proveOptions) };
// The activities that write state (keys, proofs) end before a cancelled workflow does: `bridge unpair` waits
// for the workflow, then deletes that state. (`call` only talks to Genesys Cloud.)
const waitCancel = { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
const waiting = {
  db: proxyActivities<Activities>({ ...dbActivity, ...waitCancel }),
  prove: proxyActivities<Activities>({ ...proveOptions, ...waitCancel }),
};

const MAX_PASSES_PER_RUN = 500;

/**
 * One long-lived workflow per pairing makes the bridge the org's PureConnect identity provider and proves
 * every link without a password. It registers the IdP (and reads the registration back), then loops: a
 * rotation re-registers with the next certificate beside the current one before switching, so no sign-in
 * ever meets an unregistered key; a pass proves links page by page (cursor through PostgreSQL, never ids in
 * history), new or due ones on a timer, all of them on `backfill`. A failing user fails alone (recorded,
 * retried with backoff up to a limit); a failing pass is retried after a pause, never ends the workflow.
 * Continues-as-new every few hundred passes, carrying only counters and pending signals.
 */
export async function accountLinkingWorkflow(input: AccountLinkingWorkflowInput): Promise<void> {
  const org = input.orgShortName;
  // Waits for cancelled activities, and ends when the pairing is gone instead of retrying every 30 seconds.
  const unpairSafe = patched('unpair-safe-2026-12');
  const { db, prove } = unpairSafe ? waiting : legacy;
  const carry = input.carry ?? { passes: 0 };
  let full = carry.full ?? false;
  let keysChanged = carry.keysChanged ?? false;
  const progress: AccountLinkingProgress = {
    orgShortName: org,
    state: 'registering',
    passes: carry.passes,
    lastPass: carry.lastPass,
    registeredCertificates: carry.registeredCertificates,
    registeredAt: carry.registeredAt,
  };
  setHandler(backfillSignal, () => void (full = true));
  setHandler(keysChangedSignal, () => void (keysChanged = true));
  setHandler(progressQuery, () => progress);
  upsertSearchAttributes({ BridgeOrg: [org], BridgeKind: ['account-linking'] });

  async function register() {
    const r = await call.registerIdentityProvider({ orgShortName: org });
    await call.verifyIdentityProvider({ orgShortName: org });
    progress.registeredCertificates = r.certificates;
    progress.registeredAt = new Date().toISOString();
  }

  let registered = !!input.carry;
  for (let runPasses = 0; runPasses < MAX_PASSES_PER_RUN && !workflowInfo().continueAsNewSuggested; runPasses++) {
    try {
      if (!registered || keysChanged) {
        const rotating = keysChanged;
        progress.state = rotating ? 'rotating' : 'registering';
        await register();
        if (rotating && (await db.promoteNextSigningKey({ orgShortName: org })).switched) await register();
        // Cleared only now: a rotation that failed half-way is taken up again after the pause.
        if (rotating) keysChanged = false;
        registered = true;
      }
      const kind = full ? 'all' : 'new';
      full = false;
      const startedAt = new Date().toISOString();
      progress.state = 'proving';
      progress.current = { kind, verified: 0, failed: 0, after: '' };
      for (;;) {
        const page: { after: string; done: boolean; verified: number; failed: number } = await prove.proveLinksPage({ orgShortName: org, after: progress.current.after, all: kind === 'all' });
        progress.current = { kind, verified: progress.current.verified + page.verified, failed: progress.current.failed + page.failed, after: page.after };
        if (page.done) break;
      }
      progress.lastPass = { kind, verified: progress.current.verified, failed: progress.current.failed, startedAt, finishedAt: new Date().toISOString() };
      progress.current = undefined;
      progress.lastError = undefined;
      progress.passes++;
    } catch (err) {
      const pairingMissing = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'PairingMissing';
      if (unpairSafe && pairingMissing && !CancellationScope.current().consideredCancelled) {
        log.info('the pairing is gone: account linking ends', { orgShortName: org });
        return;
      }
      progress.state = 'failing';
      progress.current = undefined;
      progress.lastError = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      if (!registered) full = true;
      await sleep('30 seconds');
      continue;
    }
    progress.state = 'waiting';
    await condition(() => full || keysChanged, `${input.pollSeconds ?? 10} seconds`);
  }
  await continueAsNew<typeof accountLinkingWorkflow>({
    ...input,
    carry: { passes: progress.passes, lastPass: progress.lastPass, registeredCertificates: progress.registeredCertificates, registeredAt: progress.registeredAt, full, keysChanged },
  });
}
