export { startWorker, type RunningWorker, type StartWorkerOptions } from './runtime.js';
export { createReporters, ReportJobs, consoleUrlOf, PermanentReportError, type Reporter, type RevisionReport, type ReporterDeps, type ReportJobsDeps } from './reports/index.js';
export { loadWorkerSettings, type WorkerSettings } from './worker.config.js';
export { AppDeployer, REVISION_ANNOTATION } from './deployer.js';
export { AdvisoryLock, LockClass } from './app-lock.js';
export { Sweeper } from './sweeper.js';
export { GitWatch } from './git-watch.js';
