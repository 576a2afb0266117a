import { defineQuery, defineSignal } from '@temporalio/workflow';

/** CIC users changed (from the watch, through the cic-events queue); ids only, never personal data. */
export const usersChangedSignal = defineSignal<[{ userIds: string[] }]>('usersChanged');

/** A full resync now: re-read the whole CIC directory and the cloud, and apply what differs. */
export const backfillSignal = defineSignal<[BackfillRequest]>('backfill');

export const progressQuery = defineQuery<SyncProgress>('progress');

export interface BackfillRequest {
  /** Delete removed users instead of deactivating them (explicit purge). */
  purge?: boolean;
  /** The operator confirms a removal that trips the mass-removal safeguard. */
  allowMassRemoval?: boolean;
  requestedBy?: string;
}

export interface PassCounts {
  [action: string]: number;
}

export interface PassSummary {
  runId: string;
  kind: 'full' | 'delta';
  status: 'completed' | 'blocked' | 'failed';
  failure?: string;
  read: number;
  counts: PassCounts;
  blockedReason?: string;
  startedAt: string;
  finishedAt: string;
}

export interface SyncProgress {
  orgShortName: string;
  state: 'waiting' | 'running';
  current?: { runId: string; kind: 'full' | 'delta'; phase: string; planned: number; applied: number; startedAt: string };
  lastPass?: PassSummary;
  /** The last full pass (initial sync, backfill, reconciliation); delta passes follow it. */
  lastFullPass?: PassSummary;
  passes: number;
  pendingUserIds: number;
  fullPending: boolean;
}

export interface DirectorySyncWorkflowInput {
  orgShortName: string;
  reconcileIntervalSeconds: number;
  /** Carried over continue-as-new. */
  carry?: { pendingUserIds: string[]; full?: BackfillRequest; passes: number; lastPass?: PassSummary; lastFullPass?: PassSummary };
  /** Start with a full pass (the first run after pairing). */
  startWithFull?: boolean;
  /** Passes before the run continues as new (default 200); tests lower it. */
  maxPassesPerRun?: number;
}

export const directorySyncWorkflowId = (org: string) => `directory-sync/${org}`;
