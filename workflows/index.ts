export { plumbingCheckWorkflow } from './plumbing-check';
export { directorySyncWorkflow } from './directory-sync';
export { cicWatchWorkflow } from './cic-watch';
export { accountLinkingWorkflow } from './account-linking';
export { conduitExportWorkflow } from './conduit-export';
