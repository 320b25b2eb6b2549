// @kipper/worker/testing: the worker's internals that the cross-package tests in test/worker
// exercise directly (build log limits, failure reasons). Not for production code.
export { BuildLogSink, capLine, droppedMarker, linesSeen, MAX_LINE_BYTES, MAX_STORED_LINES } from './build-log.js';
export type { DeployEvents } from './ports.js';
export { INTERNAL_ERROR_REASON, publicFailureReason, buildOutcomeReason, buildStepReason, redactUrls } from './reasons.js';
export { compareApp, describeDifferences, describeForeign, type DesiredState } from './drift.js';
export { GitError, lsRemoteHead } from './git.js';
