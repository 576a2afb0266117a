import { createPlumbingActivities, type PlumbingDeps } from './plumbing';
import { createDirectoryActivities, type DirectoryDeps } from './directory';
import { createCicWatchActivities, type CicWatchDeps } from './cic-watch';
import { createAccountLinkingActivities, type AccountLinkingDeps } from './account-linking';
import { createConduitExportActivities, type ConduitExportDeps } from './conduit-export';
import { withFailureTypes } from './failure-types';

export type ActivityDeps = PlumbingDeps & DirectoryDeps & CicWatchDeps & AccountLinkingDeps & ConduitExportDeps;

/** Every activity the worker registers, built over injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return withFailureTypes({
    ...createPlumbingActivities(deps),
    ...createDirectoryActivities(deps),
    ...createCicWatchActivities(deps),
    ...createAccountLinkingActivities(deps),
    ...createConduitExportActivities(deps),
  });
}
