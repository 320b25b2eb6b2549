import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { RevisionStatus, RevisionTrigger, type Revision } from './revision.entity.js';

/** Every revision starts here: RevisionService records it, the worker takes it from there. */
export const INITIAL_REVISION_STATUS = RevisionStatus.QUEUED;

/**
 * The revision state machine: which status a revision may move to from which. Every status
 * change goes through RevisionLifecycleService (or RevisionService for pins), which checks it
 * against this table inside the transaction that makes it. A status with no way out is final.
 *
 * ```
 * held ──(unpin)──▶ queued ──▶ building ──▶ rolling_out ──▶ live
 *   │                 │  │         │             ├──▶ failed ──(auto rollback, nothing newer waiting)──▶ a new `rollback` revision
 *   │                 │  │         │             ├──▶ superseded (preempted by a newer revision)
 *   │                 │  │         │             └──▶ cancelled (a person; the last live image comes back as a `rollback` revision)
 *   │                 │  │         ├──▶ failed, superseded, cancelled (its build Job deleted)
 *   │                 │  └──▶ rolling_out (an image, nothing to build)
 *   │                 ├──▶ failed (nothing to roll out), superseded, cancelled
 *   └──▶ superseded (a newer revision was deployed or unpinned)
 *
 * awaiting_approval ──(enough approvals)──▶ queued (or held while pinned, for automated triggers)
 *         ├──▶ rejected (an approver said no)
 *         └──▶ superseded (a newer revision of the app)
 * ```
 */
export const REVISION_TRANSITIONS: Readonly<Record<RevisionStatus, readonly RevisionStatus[]>> = {
  [RevisionStatus.HELD]: [RevisionStatus.QUEUED, RevisionStatus.SUPERSEDED],
  [RevisionStatus.AWAITING_APPROVAL]: [RevisionStatus.QUEUED, RevisionStatus.HELD, RevisionStatus.REJECTED, RevisionStatus.SUPERSEDED],
  [RevisionStatus.QUEUED]: [RevisionStatus.BUILDING, RevisionStatus.ROLLING_OUT, RevisionStatus.FAILED, RevisionStatus.SUPERSEDED, RevisionStatus.CANCELLED],
  [RevisionStatus.BUILDING]: [RevisionStatus.ROLLING_OUT, RevisionStatus.FAILED, RevisionStatus.SUPERSEDED, RevisionStatus.CANCELLED],
  [RevisionStatus.ROLLING_OUT]: [RevisionStatus.LIVE, RevisionStatus.FAILED, RevisionStatus.SUPERSEDED, RevisionStatus.CANCELLED],
  [RevisionStatus.LIVE]: [],
  [RevisionStatus.FAILED]: [],
  [RevisionStatus.SUPERSEDED]: [],
  [RevisionStatus.CANCELLED]: [],
  [RevisionStatus.REJECTED]: [],
};

export function canTransition(from: RevisionStatus, to: RevisionStatus): boolean {
  return REVISION_TRANSITIONS[from].includes(to);
}

export function isFinal(status: RevisionStatus): boolean {
  return REVISION_TRANSITIONS[status].length === 0;
}

/**
 * A status change the state machine refuses: the revision is no longer where its caller
 * thought (someone else moved it on). CONFLICT, as for any request that the current state of
 * a resource refuses.
 */
export class RevisionTransitionError extends KipperError {
  constructor(
    readonly revisionNumber: number,
    readonly from: RevisionStatus,
    readonly to: RevisionStatus,
  ) {
    super(ErrorCode.CONFLICT, `Revision #${revisionNumber} is ${from}: it cannot become ${to}`, { revision: revisionNumber, from, to });
    this.name = 'RevisionTransitionError';
  }
}

export function assertTransition(revision: Pick<Revision, 'number' | 'status'>, to: RevisionStatus): void {
  if (!canTransition(revision.status, to)) throw new RevisionTransitionError(revision.number, revision.status, to);
}

/** The actor of everything Kipper does on its own (automatic rollbacks, supersedes). */
export const KIPPER_ACTOR = 'kipper';

/** A rollback Kipper made after a failed rollout; when it fails too, nothing is rolled back again. */
export function isAutomaticRollback(revision: Pick<Revision, 'trigger' | 'triggeredBy'>): boolean {
  return revision.trigger === RevisionTrigger.ROLLBACK && revision.triggeredBy === KIPPER_ACTOR;
}

/**
 * A revision "was live" when Kubernetes ran it after a successful rollout. `live` is final, so
 * a revision replaced by a newer one stays `live`; a revision superseded or cancelled while it
 * rolled out never finished its rollout.
 */
export function wasLive(revision: Pick<Revision, 'status'>): boolean {
  return revision.status === RevisionStatus.LIVE;
}
