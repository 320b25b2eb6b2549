import { HealthStatus } from '../apps/app.entity.js';
import { DeployEventType } from '../events/deploy-event.js';
import { RevisionTrigger, type Revision } from '../revisions/revision.entity.js';

/**
 * What a notification channel can subscribe to: the documented event types of the payload's
 * `type`. They are derived from Kipper's revision and app events (`notificationEventOf`); the
 * other events (building, progress, superseded, pins, drift reported, …) are not sent.
 */
export enum NotificationEvent {
  REVISION_QUEUED = 'revision.queued',
  REVISION_LIVE = 'revision.live',
  REVISION_FAILED = 'revision.failed',
  /** A `rollback` revision went live (a person's rollback, a cancel, or an automatic rollback after a failure); sent instead of `revision.live`. */
  REVISION_ROLLED_BACK = 'revision.rolled_back',
  REVISION_CANCELLED = 'revision.cancelled',
  /** Accepted while the app is pinned: recorded, nothing deployed until `kip app unpin`. */
  REVISION_HELD = 'revision.held',
  /** Into an environment that requires approvals: waits for approvers (`kip approvals`). */
  REVISION_AWAITING_APPROVAL = 'revision.awaiting_approval',
  /** An approver approved (the message says who and how many approvals it has) or rejected it. */
  REVISION_APPROVED = 'revision.approved',
  REVISION_REJECTED = 'revision.rejected',
  /** The app's health became Degraded (CrashLoopBackOff, ImagePullBackOff, OOMKilled, ProgressDeadlineExceeded, …). */
  APP_DEGRADED = 'app.degraded',
  /** The reconciler put the cluster back to the record (recreated objects, reverted image or replicas). */
  APP_DRIFT_REPAIRED = 'app.drift_repaired',
}

/** Every documented type, in the order the docs list them; a channel created without `events` gets all. */
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = Object.values(NotificationEvent);

export function isNotificationEvent(value: unknown): value is NotificationEvent {
  return typeof value === 'string' && (NOTIFICATION_EVENTS as readonly string[]).includes(value);
}

/**
 * The notification an event of a revision or app is sent as, or null when it is not one of the
 * documented types. `message` is the event's own (for `health` events: `describeHealth`, which
 * starts with the status). A rollback revision going live is `revision.rolled_back`, not
 * `revision.live`, so that "live" always means a new image went out.
 */
export function notificationEventOf(type: DeployEventType, revision: Pick<Revision, 'trigger'>, message: string | null): NotificationEvent | null {
  switch (type) {
    case DeployEventType.QUEUED:
      return NotificationEvent.REVISION_QUEUED;
    case DeployEventType.LIVE:
      return revision.trigger === RevisionTrigger.ROLLBACK ? NotificationEvent.REVISION_ROLLED_BACK : NotificationEvent.REVISION_LIVE;
    case DeployEventType.FAILED:
      return NotificationEvent.REVISION_FAILED;
    case DeployEventType.CANCELLED:
      return NotificationEvent.REVISION_CANCELLED;
    case DeployEventType.HELD:
      return NotificationEvent.REVISION_HELD;
    case DeployEventType.AWAITING_APPROVAL:
      return NotificationEvent.REVISION_AWAITING_APPROVAL;
    case DeployEventType.APPROVED:
      return NotificationEvent.REVISION_APPROVED;
    case DeployEventType.REJECTED:
      return NotificationEvent.REVISION_REJECTED;
    case DeployEventType.HEALTH:
      return message !== null && healthStatusOf(message) === HealthStatus.DEGRADED ? NotificationEvent.APP_DEGRADED : null;
    case DeployEventType.REPAIRED:
      return NotificationEvent.APP_DRIFT_REPAIRED;
    case DeployEventType.BUILDING:
    case DeployEventType.ROLLING_OUT:
    case DeployEventType.PROGRESS:
    case DeployEventType.SUPERSEDED:
    case DeployEventType.PINNED:
    case DeployEventType.UNPINNED:
    case DeployEventType.DRIFT:
    case DeployEventType.WEBHOOK_SECRET_MISSING:
      return null;
  }
}

/** The status a `health` event's message names (`describeHealth` puts it first: `Degraded: CrashLoopBackOff (…)`). */
function healthStatusOf(message: string): HealthStatus | null {
  const word = /^[A-Za-z]+/.exec(message)?.[0];
  return (Object.values(HealthStatus) as string[]).includes(word ?? '') ? (word as HealthStatus) : null;
}
