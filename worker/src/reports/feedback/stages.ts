import { DeployEventType, FEEDBACK_STAGE_RANK, FeedbackStage, RevisionStatus, type Revision } from '@kipper/core';
import type { RevisionReport } from '../reporter.js';

/** The stage a revision event reports, or null for events that say nothing about the revision's fate (health, drift, …). */
export function stageOfEvent(type: DeployEventType): FeedbackStage | null {
  switch (type) {
    case DeployEventType.HELD:
    case DeployEventType.AWAITING_APPROVAL:
      return FeedbackStage.HELD;
    case DeployEventType.QUEUED:
      return FeedbackStage.QUEUED;
    case DeployEventType.BUILDING:
    case DeployEventType.ROLLING_OUT:
      return FeedbackStage.IN_PROGRESS;
    case DeployEventType.LIVE:
      return FeedbackStage.SUCCESS;
    case DeployEventType.FAILED:
      return FeedbackStage.FAILURE;
    case DeployEventType.SUPERSEDED:
    case DeployEventType.CANCELLED:
    case DeployEventType.REJECTED:
      return FeedbackStage.INACTIVE;
    case DeployEventType.PROGRESS:
    case DeployEventType.APPROVED:
    case DeployEventType.PINNED:
    case DeployEventType.UNPINNED:
    case DeployEventType.HEALTH:
    case DeployEventType.DRIFT:
    case DeployEventType.REPAIRED:
    case DeployEventType.WEBHOOK_SECRET_MISSING:
      return null;
  }
}

/**
 * The stages to send now, in order, to go from what was reported to `target`: nothing when
 * `target` is not past what was reported (a late event), else the stages the revision went
 * through that were not reported (events of one revision may arrive out of order), then `target`.
 * A revision that started (building or rolling out) passed `queued` and `in_progress`.
 */
export function stagesToReport(reported: FeedbackStage | null, target: FeedbackStage, revision: Pick<Revision, 'startedAt'>): FeedbackStage[] {
  const from = reported === null ? -1 : FEEDBACK_STAGE_RANK[reported];
  const to = FEEDBACK_STAGE_RANK[target];
  if (to <= from) return [];
  const started = revision.startedAt !== null;
  const steps: FeedbackStage[] = [];
  const passedQueue = target === FeedbackStage.IN_PROGRESS || target === FeedbackStage.SUCCESS || target === FeedbackStage.FAILURE || started;
  if (from < FEEDBACK_STAGE_RANK[FeedbackStage.QUEUED] && to > FEEDBACK_STAGE_RANK[FeedbackStage.QUEUED] && passedQueue) steps.push(FeedbackStage.QUEUED);
  if (from < FEEDBACK_STAGE_RANK[FeedbackStage.IN_PROGRESS] && to > FEEDBACK_STAGE_RANK[FeedbackStage.IN_PROGRESS] && started) steps.push(FeedbackStage.IN_PROGRESS);
  steps.push(target);
  return steps;
}

/** What is said with a stage: the event's own message when it is the event's stage, else a plain sentence. */
export function describeStage(stage: FeedbackStage, report: RevisionReport): string {
  const { revision } = report;
  const own = stageOfEvent(report.type) === stage ? report.message : null;
  const n = `Revision #${revision.number}`;
  switch (stage) {
    case FeedbackStage.HELD:
      return own ?? `${n} is held: the app is pinned`;
    case FeedbackStage.QUEUED:
      return `${n} queued${revision.image ? `: ${revision.image}` : ''}`;
    case FeedbackStage.IN_PROGRESS:
      if (report.type === DeployEventType.BUILDING && own) return `${n} ${own}`;
      return `${n} ${revision.image ? `rolling out ${revision.image}` : 'in progress'}`;
    case FeedbackStage.SUCCESS:
      return `${n} is live${revision.image ? `: ${revision.image}` : ''}`;
    case FeedbackStage.FAILURE:
      return `${n} failed: ${revision.failureReason ?? own ?? 'see Kipper'}`;
    case FeedbackStage.INACTIVE:
      if (revision.status === RevisionStatus.CANCELLED) return `${n} ${revision.failureReason ?? own ?? 'cancelled'}`;
      return `${n} not deployed: ${revision.failureReason ?? own ?? 'superseded by a newer revision'}`;
  }
}

/** The app's address for the deployment's environment URL, when it has a host. */
export function environmentUrlOf(report: RevisionReport): string | null {
  return report.app.host ? `https://${report.app.host}` : null;
}
