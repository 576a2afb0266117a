import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Re-prove every link now (not just new, changed or due ones). */
export const backfillSignal = defineSignal<[{ requestedBy?: string }]>('backfill');

/** A next signing key was staged: register it beside the current one, then switch. */
export const keysChangedSignal = defineSignal<[]>('keysChanged');

export const progressQuery = defineQuery<AccountLinkingProgress>('progress');

export interface LinkPassSummary {
  kind: 'new' | 'all';
  verified: number;
  failed: number;
  startedAt: string;
  finishedAt: string;
}

export interface AccountLinkingProgress {
  orgShortName: string;
  state: 'registering' | 'rotating' | 'proving' | 'waiting' | 'failing';
  registeredCertificates?: number;
  registeredAt?: string;
  lastError?: string;
  current?: { kind: 'new' | 'all'; verified: number; failed: number; after: string };
  lastPass?: LinkPassSummary;
  passes: number;
}

export interface AccountLinkingWorkflowInput {
  orgShortName: string;
  /** How often new links are looked for; each is proved in the pass after it appears. */
  pollSeconds?: number;
  carry?: { passes: number; lastPass?: LinkPassSummary; registeredCertificates?: number; registeredAt?: string; full?: boolean; keysChanged?: boolean };
}

export const accountLinkingWorkflowId = (org: string) => `account-linking/${org}`;
