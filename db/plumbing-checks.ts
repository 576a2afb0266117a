import type { Db } from './database';

export interface PlumbingCheck {
  id: string;
  requestedAt: Date;
  jobId: string | null;
  echoedAt: Date | null;
  echoedBy: string | null;
}

export async function insertPlumbingCheck(db: Db, id: string): Promise<void> {
  await db.insertInto('plumbing_checks').values({ id }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function setPlumbingJob(db: Db, id: string, jobId: string): Promise<void> {
  await db.updateTable('plumbing_checks').set({ job_id: jobId }).where('id', '=', id).execute();
}

export async function markPlumbingEchoed(db: Db, id: string, by: string): Promise<Date> {
  const row = await db
    .updateTable('plumbing_checks')
    .set({ echoed_at: new Date(), echoed_by: by })
    .where('id', '=', id)
    .returning('echoed_at')
    .executeTakeFirstOrThrow();
  return row.echoed_at!;
}

export async function getPlumbingCheck(db: Db, id: string): Promise<PlumbingCheck | undefined> {
  const row = await db.selectFrom('plumbing_checks').selectAll().where('id', '=', id).executeTakeFirst();
  return row && {
    id: row.id,
    requestedAt: row.requested_at,
    jobId: row.job_id,
    echoedAt: row.echoed_at,
    echoedBy: row.echoed_by,
  };
}
