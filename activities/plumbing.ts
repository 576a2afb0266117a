import { Job, type Queue, type QueueEvents } from 'bullmq';
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { Db } from '../db/database';
import { insertPlumbingCheck, setPlumbingJob } from '../db/plumbing-checks';
import type { PlumbingJobData, PlumbingJobResult } from '../queues/plumbing';

export interface PlumbingDeps {
  db: Db;
  plumbingQueue: Queue<PlumbingJobData, PlumbingJobResult>;
  plumbingEvents: QueueEvents;
}

/** Activities of the plumbing check: a row in PostgreSQL, a job through BullMQ, the job's result. */
export function createPlumbingActivities(deps: PlumbingDeps) {
  return {
    async recordPlumbingCheck(input: { checkId: string }): Promise<void> {
      await insertPlumbingCheck(deps.db, input.checkId);
    },

    async enqueuePlumbingEcho(input: { checkId: string }): Promise<{ jobId: string }> {
      // The job id is derived from the check id, so a retried activity adds no second job.
      const jobId = `check-${input.checkId}`;
      await deps.plumbingQueue.add('echo', { checkId: input.checkId }, { jobId, removeOnComplete: 1000 });
      await setPlumbingJob(deps.db, input.checkId, jobId);
      return { jobId };
    },

    async awaitPlumbingEcho(input: { jobId: string; timeoutMs: number }): Promise<PlumbingJobResult> {
      const job = await Job.fromId<PlumbingJobData, PlumbingJobResult>(deps.plumbingQueue, input.jobId);
      if (!job) throw ApplicationFailure.nonRetryable(`job ${input.jobId} not found`, 'JobNotFound');
      const beat = setInterval(() => heartbeat(), 1000);
      try {
        return await job.waitUntilFinished(deps.plumbingEvents, input.timeoutMs);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
