import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import { plumbingCheckWorkflow } from '../workflows';
import type { PlumbingCheckWorkflowResult } from '../workflows/plumbing-check';

/** Starts a plumbing check on the configured task queue and waits for its result. */
export async function runPlumbingCheck(
  client: Client,
  config: Config,
): Promise<{ workflowId: string; runId: string; result: PlumbingCheckWorkflowResult }> {
  const checkId = randomUUID();
  const workflowId = `plumbing-check/${checkId}`;
  const handle = await client.workflow.start(plumbingCheckWorkflow, {
    taskQueue: config.taskQueue,
    workflowId,
    args: [{ checkId }],
    searchAttributes: { BridgeKind: ['plumbing-check'] },
  });
  return { workflowId, runId: handle.firstExecutionRunId, result: await handle.result() };
}
