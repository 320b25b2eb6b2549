export { startWorker, type RunningWorker } from './runtime.js';
export { loadWorkerSettings, type WorkerSettings } from './worker.config.js';
export { AppDeployer, REVISION_ANNOTATION } from './deployer.js';
export { AdvisoryLock, LockClass } from './app-lock.js';
export { Sweeper } from './sweeper.js';
export { GitWatch } from './git-watch.js';
