/**
 * One step of a user's trace (`bridge user <id>`): time, step, result. Steps written before the planner
 * recorded times (its map and match steps had none, and an unchanged state is not written again, so such a
 * step stays until the user's state changes) say so instead of printing `undefined`.
 */
export function formatTraceStep(step: unknown): string {
  const s = (step && typeof step === 'object' ? step : {}) as { step?: unknown; result?: unknown; at?: unknown };
  const at = typeof s.at === 'string' && !Number.isNaN(Date.parse(s.at)) ? s.at : '(time not recorded)'.padEnd(24);
  return `${at}  ${String(s.step ?? '?').padEnd(6)} ${String(s.result ?? '')}`;
}
