import { proxyActivities } from '@temporalio/workflow';
import type { createPlumbingActivities } from '../activities/plumbing';
import { dbActivity, longPage } from './activity-options';

const { recordPlumbingCheck, enqueuePlumbingEcho } = proxyActivities<ReturnType<typeof createPlumbingActivities>>(dbActivity);
const { awaitPlumbingEcho } = proxyActivities<ReturnType<typeof createPlumbingActivities>>({
  ...longPage,
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
});

export interface PlumbingCheckWorkflowInput {
  checkId: string;
}

export interface PlumbingCheckWorkflowResult {
  checkId: string;
  jobId: string;
  echoedAt: string;
  echoedBy: string;
}

/**
 * Proves the plumbing end to end: Temporal runs an activity that writes to PostgreSQL, another that enqueues
 * a BullMQ job, and waits for a queue worker to consume it. Each step is idempotent by the check id, so
 * retries after a crash add no second row or job.
 */
export async function plumbingCheckWorkflow(input: PlumbingCheckWorkflowInput): Promise<PlumbingCheckWorkflowResult> {
  await recordPlumbingCheck({ checkId: input.checkId });
  const { jobId } = await enqueuePlumbingEcho({ checkId: input.checkId });
  const echo = await awaitPlumbingEcho({ jobId, timeoutMs: 50_000 });
  return { checkId: input.checkId, jobId, echoedAt: echo.echoedAt, echoedBy: echo.echoedBy };
}
