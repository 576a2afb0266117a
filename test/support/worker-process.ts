export { spawnWorkerProcess as spawnWorker } from '../../workers/spawn';
