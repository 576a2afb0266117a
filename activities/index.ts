import { createPlumbingActivities, type PlumbingDeps } from './plumbing';

export type ActivityDeps = PlumbingDeps;

/** Every activity the worker registers, built over injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPlumbingActivities(deps),
  };
}
