import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { cicWatchWorkflowId } from '../../workflows/cic-watch';

/** The CIC watch as Temporal sees it: its workflow, and the activity holding the ICWS session. */
export interface WatchFacts {
  workflowStatus: string;
  activity?: {
    /** Temporal's worker identity (pid@host) of the bridge running it. */
    holder: string | null;
    attempt: number;
    lastHeartbeatAt: Date | null;
    lastFailure: string | null;
    details: {
      state?: 'connected' | 'reconnecting' | 'switchover';
      server?: string;
      attempt?: number;
      reason?: string;
      pending?: { ids: number; fullPass: boolean };
      connectedAt?: string;
      lastMessageAt?: string;
    };
  };
}

type Ts = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
const toDate = (t: Ts) => (t?.seconds == null ? null : new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)));

/** Reads the watch from Temporal: its heartbeat details say how the ICWS session is (activities/cic-watch.ts). */
export async function describeWatch(temporal: Client, org: string): Promise<WatchFacts | undefined> {
  let d;
  try {
    d = await temporal.workflow.getHandle(cicWatchWorkflowId(org)).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const pa = d.raw.pendingActivities?.[0];
  if (!pa) return { workflowStatus: d.status.name };
  // Heartbeat details come back as stored: encrypted by the payload codec, which describe() does not undo.
  const converter = temporal.options.loadedDataConverter;
  let payloads = pa.heartbeatDetails?.payloads ?? [];
  for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  const payload = payloads[0];
  const details = payload ? (converter.payloadConverter.fromPayload(payload) as WatchFacts['activity'] & object) : {};
  return {
    workflowStatus: d.status.name,
    activity: {
      holder: pa.lastWorkerIdentity || null,
      attempt: pa.attempt ?? 1,
      lastHeartbeatAt: toDate(pa.lastHeartbeatTime as Ts),
      lastFailure: pa.lastFailure?.message ?? null,
      details: (details ?? {}) as NonNullable<WatchFacts['activity']>['details'],
    },
  };
}
