export { plumbingCheckWorkflow } from './plumbing-check';
