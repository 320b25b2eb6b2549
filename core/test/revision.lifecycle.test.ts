import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  ErrorCode,
  INITIAL_REVISION_STATUS,
  isFinal,
  KipperError,
  REVISION_TRANSITIONS,
  RevisionStatus,
  RevisionTransitionError,
  UNFINISHED_STATUSES,
} from '@kipper/core';

const { QUEUED, BUILDING, ROLLING_OUT, LIVE, FAILED, SUPERSEDED, HELD, CANCELLED, AWAITING_APPROVAL, REJECTED } = RevisionStatus;

/**
 * The lifecycle as users know it (docs/architecture.md, "Revision lifecycle"), written out
 * here on its own: a change to the table in core has to be made here too, deliberately.
 */
const ALLOWED: readonly (readonly [RevisionStatus, RevisionStatus])[] = [
  [HELD, QUEUED], // the app was unpinned: the newest held revision deploys
  [HELD, SUPERSEDED], // a newer held revision was unpinned, or a person deployed meanwhile
  [AWAITING_APPROVAL, QUEUED], // enough approvers approved it
  [AWAITING_APPROVAL, HELD], // approved, but an automated delivery and the app is pinned
  [AWAITING_APPROVAL, REJECTED], // an approver rejected it
  [AWAITING_APPROVAL, SUPERSEDED], // a newer revision of the app came before the approvals
  [QUEUED, BUILDING], // a git app's build starts
  [QUEUED, ROLLING_OUT], // an image, nothing to build
  [QUEUED, FAILED], // nothing to roll out (no image, the build is gone or failed before)
  [QUEUED, SUPERSEDED], // a newer queued revision won before this one started
  [QUEUED, CANCELLED], // a person cancelled what waited
  [BUILDING, ROLLING_OUT], // the build pushed its image
  [BUILDING, FAILED], // the build failed
  [BUILDING, SUPERSEDED], // a newer commit preempted the build (its Job deleted)
  [BUILDING, CANCELLED], // a person cancelled the build (its Job deleted)
  [ROLLING_OUT, LIVE], // the rollout finished
  [ROLLING_OUT, FAILED], // the rollout failed (and an automatic rollback may follow)
  [ROLLING_OUT, SUPERSEDED], // a newer revision preempted the rollout
  [ROLLING_OUT, CANCELLED], // a person cancelled the rollout (the last live image comes back)
];

const STATUSES = [HELD, AWAITING_APPROVAL, QUEUED, BUILDING, ROLLING_OUT, LIVE, FAILED, SUPERSEDED, CANCELLED, REJECTED];
const allowed = (from: RevisionStatus, to: RevisionStatus) => ALLOWED.some(([f, t]) => f === from && t === to);
const ALL_PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
const REFUSED = ALL_PAIRS.filter(([from, to]) => !allowed(from, to));

describe('revision state machine', () => {
  it('knows exactly the statuses this test knows', () => {
    expect(Object.values(RevisionStatus).sort()).toEqual([...STATUSES].sort());
    expect(Object.keys(REVISION_TRANSITIONS).sort()).toEqual([...STATUSES].sort());
  });

  it('allows exactly the listed changes', () => {
    const table = Object.entries(REVISION_TRANSITIONS).flatMap(([from, targets]) => targets.map((to) => [from, to]));
    expect(table.sort()).toEqual(ALLOWED.map(([from, to]) => [from, to]).sort());
  });

  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition({ number: 7, status: from }, to)).not.toThrow();
  });

  it.each(REFUSED)('refuses %s → %s with CONFLICT', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let refusal: unknown;
    try {
      assertTransition({ number: 7, status: from }, to);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RevisionTransitionError);
    expect(refusal).toBeInstanceOf(KipperError);
    expect(refusal).toMatchObject({ code: ErrorCode.CONFLICT, from, to, revisionNumber: 7, message: `Revision #7 is ${from}: it cannot become ${to}` });
  });

  it('covers every pair of statuses, each once', () => {
    expect(ALLOWED.length + REFUSED.length).toBe(STATUSES.length ** 2);
  });

  it('starts revisions queued; live, failed, superseded, cancelled and rejected are final', () => {
    expect(INITIAL_REVISION_STATUS).toBe(QUEUED);
    expect(STATUSES.filter(isFinal).sort()).toEqual([LIVE, FAILED, SUPERSEDED, CANCELLED, REJECTED].sort());
  });

  it('lets the worker fail every revision it owns, and own none that is final', () => {
    for (const status of UNFINISHED_STATUSES) {
      expect(isFinal(status)).toBe(false);
      expect(canTransition(status, FAILED)).toBe(true);
    }
    expect(STATUSES.filter((from) => canTransition(from, FAILED)).sort()).toEqual([...UNFINISHED_STATUSES].sort());
  });
});
