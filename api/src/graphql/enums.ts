import { registerEnumType } from 'type-graphql';
import {
  ActorKind,
  AppSource,
  DeployPolicy,
  DriftPolicy,
  HealthStatus,
  BuildStatus,
  DeliveryOutcome,
  DeliverySource,
  DeployEventType,
  FeedbackProvider,
  FeedbackStage,
  NotificationChannelKind,
  NotificationDeliveryOutcome,
  NotificationEvent,
  RevisionStatus,
  ProjectRole,
  RevisionTrigger,
} from '@kipper/core';

/**
 * Every enum of the schema. GraphQL names are the TypeScript keys (`ROLLING_OUT`), values the
 * stored strings (`rolling_out`; health: `Healthy`), so resolvers return entity values unchanged.
 */
registerEnumType(ActorKind, { name: 'ActorKind', description: 'Who an audit actor is: a person, a project token, a CI identity, a webhook token or Kipper itself.' });
registerEnumType(AppSource, { name: 'AppSource' });
registerEnumType(DeployPolicy, { name: 'DeployPolicy' });
registerEnumType(DriftPolicy, {
  name: 'DriftPolicy',
  description: 'What the reconciler does when the cluster differs from the record: REPAIR puts it back, REPORT only flags it on the app.',
});
registerEnumType(HealthStatus, { name: 'HealthStatus', description: 'Health of the app in the cluster, as Argo CD names it.' });
registerEnumType(RevisionTrigger, { name: 'RevisionTrigger' });
registerEnumType(RevisionStatus, { name: 'RevisionStatus' });
registerEnumType(BuildStatus, { name: 'BuildStatus' });
registerEnumType(DeliverySource, { name: 'DeliverySource' });
registerEnumType(DeployEventType, { name: 'DeployEventType' });
registerEnumType(FeedbackProvider, { name: 'FeedbackProvider', description: 'Where an app\'s deploys are reported: commit statuses and deployments.' });
registerEnumType(FeedbackStage, {
  name: 'FeedbackStage',
  description: 'The last stage of a revision reported to GitHub or GitLab: HELD (pinned app), QUEUED, IN_PROGRESS (building or rolling out), then SUCCESS (live), FAILURE (with the reason) or INACTIVE (superseded or cancelled).',
});
registerEnumType(NotificationChannelKind, {
  name: 'NotificationChannelKind',
  description: 'WEBHOOK: signed JSON (X-Kipper-Signature-256); SLACK: a Slack-compatible incoming webhook ({"text": …}).',
});
registerEnumType(NotificationEvent, {
  name: 'NotificationEventType',
  description: 'What a notification channel can subscribe to; the payload\'s `type` is the value in lower case with a dot (REVISION_LIVE: `revision.live`).',
  valuesConfig: {
    REVISION_ROLLED_BACK: { description: 'A rollback revision went live (sent instead of REVISION_LIVE).' },
    REVISION_HELD: { description: 'Accepted while the app is pinned: recorded, nothing deployed.' },
    APP_DEGRADED: { description: 'The app\'s health became Degraded.' },
    APP_DRIFT_REPAIRED: { description: 'The reconciler put the cluster back to the record.' },
  },
});
registerEnumType(NotificationDeliveryOutcome, {
  name: 'NotificationDeliveryOutcome',
  description: 'DELIVERED: answered 2xx; RETRYING: failed, another attempt follows; FAILED: failed for good (last attempt, or retrying cannot help).',
});

/** Finished outcomes only: a delivery still being processed (`pending`) is never shown. */
export const DeliveryOutcomeEnum = {
  ACCEPTED: DeliveryOutcome.ACCEPTED,
  ALREADY_LIVE: DeliveryOutcome.ALREADY_LIVE,
  IGNORED: DeliveryOutcome.IGNORED,
  DUPLICATE: DeliveryOutcome.DUPLICATE,
  HELD: DeliveryOutcome.HELD,
  REFUSED: DeliveryOutcome.REFUSED,
} as const;
registerEnumType(DeliveryOutcomeEnum, { name: 'DeliveryOutcome' });

export {
  FeedbackProvider,
  FeedbackStage,
  AppSource,
  DeployPolicy,
  DriftPolicy,
  HealthStatus,
  RevisionTrigger,
  RevisionStatus,
  BuildStatus,
  DeliverySource,
  DeliveryOutcome,
  DeployEventType,
  NotificationChannelKind,
  NotificationDeliveryOutcome,
  NotificationEvent,
};
registerEnumType(ProjectRole, { name: 'ProjectRole', description: 'Roles within a project, weakest first: VIEWER reads, DEPLOYER deploys, ADMIN manages members and settings.' });
