// @kipper/core: Kipper's domain, free of any transport. The api (GraphQL, REST) and the worker
// reach the domain only through what this file exports.

// Configuration, logging, errors
export { loadConfig, integer, ConfigError, type KipperConfig, type TrustProxy, type Env } from './config/config.js';
export type { OidcConfig } from './config/oidc.config.js';
export { consoleLogger, describeError, withError, logWith, type Logger, type LogFields } from './logger.js';
export { createKipperMetrics, ROLLOUT_BUCKETS, type KipperMetrics } from './observability/metrics.js';
export { checkReadiness, type Readiness, type ReadinessDeps } from './observability/readiness.js';
export { bearerMatches } from './observability/bearer.js';
export { observeDomain, type DomainObserver, type BuildOutcome } from './observability/observer.js';
export { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, type JsonLoggerOptions } from './logging/json-logger.js';
export { ErrorCode } from './errors/error-code.js';
export { KipperError } from './errors/kipper-error.js';
export { fromClusterError, inCluster } from './errors/cluster-errors.js';

// Persistence
export { openDatabase, createDataSource, ensureDatabase, type DataSourceOptions } from './database/data-source.js';
export { entities } from './database/entities.js';
export { migrations } from './database/migrations/index.js';

// Projects and environments
export { Project } from './projects/project.entity.js';
export { Environment } from './projects/environment.entity.js';
export { ProjectService, DEFAULT_ENVIRONMENTS, isUniqueViolation, type CreateProjectInput } from './projects/project.service.js';
export { DNS_LABEL, isDnsLabel, isAppName, namespaceOf, isReservedNamespace, assertNamespaceAllowed, assertDnsLabel, RESERVED_NAMESPACES, RESERVED_NAMESPACE_PREFIX, NAMESPACE_MAX, APP_NAME_MAX } from './projects/names.js';

// Apps
export { App, AppSource, DeployPolicy, DriftPolicy, HealthStatus, type AppHealth, type AppDrift, type EnvVar } from './apps/app.entity.js';
export { AppService, type AppRef, type DeployAppInput, type AppFilter } from './apps/app.service.js';
export { AppSettingsService, ENV_SECRET_KEEP_REVISIONS, type AppSettingsChange, type EnvChange, type EnvView, type SettingsResult } from './apps/app-settings.service.js';
export { looksSecret, envSecretName, envFingerprint, settingsOf, samePodTemplate, podTemplateHash, assertPort, assertReplicas, assertHost, assertEnvName, MAX_REPLICAS, MAX_ENV_VARS, type EnvEntry, type RevisionSettings } from './apps/app-settings.js';
export { AppConditionsService, describeHealth, repairsDrift, type ObservedHealth } from './apps/app-conditions.service.js';
export { appWorkload } from './apps/app.workload.js';
export { GIT_PROTOCOLS, DEFAULT_GIT_PROTOCOLS, parseGitUrl, gitUrlProblem, gitHostProblem, privateHostProblem, isPrivateAddress, redactGitUrl, type GitProtocol, type GitUrl } from './apps/git-url.js';

// What runs: pods, cluster events, pod logs
export { RuntimeService, EVENTS_MAX, LOG_TAIL_MAX, type AppPod, type ClusterEvent, type PodLogLine, type FollowLogsInput } from './runtime/runtime.service.js';

// Revisions (the deploy history) and builds
export { Revision, RevisionStatus, RevisionTrigger, UNFINISHED_STATUSES, type RolloutProgress } from './revisions/revision.entity.js';
export { REVISION_TRANSITIONS, INITIAL_REVISION_STATUS, canTransition, isFinal, assertTransition, RevisionTransitionError, KIPPER_ACTOR, isAutomaticRollback, wasLive } from './revisions/revision.lifecycle.js';
export { RevisionLifecycleService, type AutomaticRollback, type CancelResult, type RevisionLifecycleDeps } from './revisions/revision-lifecycle.service.js';
export { heldMessage, pinTime, isAutomatedTrigger, type AppPin } from './revisions/pin.js';
export { ApprovalService, approversOf, type AwaitingRevision, type Decider, type DecisionResult, type EnvironmentSettings } from './approvals/approval.service.js';
export { ApprovalDecision, RevisionApproval } from './approvals/revision-approval.entity.js';
export { DEFAULT_APPROVERS, frozenMessage, gateOf, isApprover, type EnvironmentGate } from './approvals/environment-gate.js';
export { pinnedImageOf } from './promotion/pinned-image.js';
export { PromotionPreviewService, type PromotionPreview } from './promotion/promotion-preview.service.js';
export { settingsDifferences, type SettingDifference } from './promotion/settings-diff.js';
export { commitsBetween, type CommitLine, type CommitsBetween } from './promotion/commit-log.js';
export { RevisionService, clampPage, type DeployImageInput, type RequestBuildInput, type RevisionPage, type RevisionServiceDeps } from './revisions/revision.service.js';
export { appLabel } from './revisions/revision.records.js';
export { revisionDiff, compareRevisions, commitUrl, diffEnv, type RevisionDiff, type ValueChange, type EnvDiffEntry, type EnvValueChange } from './revisions/revision-diff.js';
export { parseImageReference, isValidImageReference, invalidImageMessage, assertImageReference, type ImageReference } from './revisions/image-reference.js';
export { optionalCommit, optionalBuildCommit, isFullCommitSha } from './revisions/commit.js';
export { Build, BuildStatus } from './builds/build.entity.js';
export { BuildService } from './builds/build.service.js';
export { BuildLifecycleService, type BuiltImage, type BuildLifecycleDeps } from './builds/build-lifecycle.service.js';

// Webhooks and their deliveries
export { Webhook } from './webhooks/webhook.entity.js';
export { WebhookService, webhookSecretMissingMessage, type WebhookTokenStore, type WebhookStatus, type WebhookSecretView, type PresentedCredentials, type RevisionStatusView } from './webhooks/webhook.service.js';
export { ciSnippets, type CiSnippets } from './webhooks/webhook.snippets.js';
export { githubSignature, githubSignatureMatches } from './webhooks/github-signature.js';
// Keyless CI: CI identities (OIDC tokens) an app's webhook trusts
export { WebhookTrust } from './keyless/webhook-trust.entity.js';
export { CiTokenUse } from './keyless/ci-token-use.entity.js';
export { WebhookTrustService, type TrustInput, type UntrustInput } from './keyless/webhook-trust.service.js';
export { CiIdentityService, type CiAuthentication } from './keyless/ci-identity.service.js';
export { CiTokenVerifier, CI_TOKEN_ALGORITHMS, CI_CLOCK_SKEW_SECONDS, type CiIdentity, type CiCheck } from './keyless/ci-token.verifier.js';
export { keylessCiSnippets } from './keyless/keyless.snippets.js';
export { checkIssuer, checkSubject, checkAudience, subjectMatches, ciActor, DEFAULT_CI_AUDIENCE, TRUSTS_PER_APP_MAX } from './keyless/webhook-trust.rules.js';
export { WebhookDelivery, DeliverySource, DeliveryOutcome } from './deliveries/webhook-delivery.entity.js';
export { DeliveryService, type DeliveryResult, type DeliveryInput, type Claim } from './deliveries/delivery.service.js';
export { DeliveryHandler, type ParsedDelivery, type DeliveryRevisions, type DeliveryHandlerDeps } from './deliveries/delivery.handler.js';
export { refusalOf, type WebhookOutcome, type FreshOutcome, type Refusal, type RecordedResponse, type Respond, type AcceptedRevision } from './deliveries/delivery.outcome.js';
export { interpretDelivery, normaliseRepoUrl, DEFAULT_GIT_BRANCH, type WebhookIntent, type IntentApp, type DeliveryEvent } from './deliveries/delivery.intent.js';

// Feedback to GitHub and GitLab (the worker's reporters deliver it)
export { FeedbackConnection, FeedbackProvider } from './feedback/feedback-connection.entity.js';
export { FeedbackReport, FeedbackStage, FEEDBACK_STAGE_RANK } from './feedback/feedback-report.entity.js';
export { FeedbackService, type ConnectFeedbackInput, type FeedbackSecretReader } from './feedback/feedback.service.js';
export { DEFAULT_FEEDBACK_API_URL, DEFAULT_FEEDBACK_SECRET_KEY, parseFeedbackApiUrl, repositoryProblem, secretProblem, shortDescription } from './feedback/feedback.rules.js';
// Notifications (channels, what they are sent, every attempt)
export { NotificationChannel, NotificationChannelKind } from './notifications/notification-channel.entity.js';
export { NotificationDelivery, NotificationDeliveryOutcome } from './notifications/notification-delivery.entity.js';
export { NotificationEvent, NOTIFICATION_EVENTS, isNotificationEvent, notificationEventOf } from './notifications/notification-event.js';
export { NotificationService, CHANNELS_PER_PROJECT_MAX, type CreateNotificationChannelInput, type CreatedNotificationChannel, type NotificationChannelFilter } from './notifications/notification.service.js';
export { NotificationDispatchService, RESPONSE_EXCERPT_MAX, type NotificationAttempt } from './notifications/notification-dispatch.service.js';
export { parseNotificationUrl, notificationHostProblem, refusedAddressProblem, displayUrlOf, hostOf, type NotificationUrl } from './notifications/notification-url.js';
export {
  notificationPayload,
  slackPayload,
  notificationSignature,
  verifyNotificationSignature,
  notificationDeliveryId,
  SIGNATURE_HEADER,
  EVENT_HEADER,
  DELIVERY_HEADER,
  type NotificationPayload,
  type NotificationSubject,
} from './notifications/notification.payload.js';

// Audit and authentication
export { ProjectRole, ActorKind, roleAtLeast, weakerRole, isProjectRole, actorKindOf, KIPPER_PRINCIPAL, type Principal, type PrincipalScope } from './access/principal.js';
export { runInRequestScope, currentRequestScope, acceptableRequestId, type RequestScope } from './audit/request-scope.js';
export { AuditEntry } from './audit/audit-entry.entity.js';
export { AuditService, appTarget, projectTarget, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, type AuditTarget, type AuditQuery, type AuditPage } from './audit/audit.service.js';
export { ApiToken } from './auth/api-token.entity.js';
export { AuthService, ADMIN_ACTOR, bearerToken, personPrincipal, tokenPrincipal } from './auth/auth.service.js';
export { TokenService, TOKEN_PREFIX, generateApiToken, type CreateTokenInput, type AuthenticatedToken } from './auth/token.service.js';
export { AccessService, type RequireOptions } from './access/access.service.js';

// People, sessions and project members
export { User } from './people/user.entity.js';
export { Session } from './people/session.entity.js';
export { ProjectMember } from './people/project-member.entity.js';
export { UserService, BOOTSTRAP_USER, userNameProblem, type CreateUserInput } from './people/user.service.js';
export { SessionService, csrfTokenOf, SESSION_IDLE_MS, SESSION_MAX_MS, type StartedSession, type LiveSession } from './people/session.service.js';
export { MemberService } from './people/member.service.js';
export { OidcIdentity } from './people/oidc-identity.entity.js';
export { SingleSignOnService, type SingleSignOnOptions } from './people/single-sign-on.service.js';
export { claimedRoles, verifiedEmail, INSTANCE_ADMIN_VALUE, type ProviderClaims, type ClaimedRoles } from './people/single-sign-on.js';
export { hashPassword, verifyPassword, dummyPasswordHash, passwordProblem, PASSWORD_MIN, PASSWORD_MAX } from './people/password.js';
export { generateToken, hashToken, digestsEqual, tokenMatchesHash, TOKEN_BYTES } from './auth/secret-token.js';

// Jobs, Redis and live events
export { DEPLOY_QUEUE, REPORT_QUEUE, QUEUE_OF, assertJobItem, type JobPayloads, type JobName, type JobItem, type QueueName, type RevisionEventJob } from './jobs/job.catalogue.js';
export { createJobQueue, jobIdOf, DEFAULT_JOB_OPTIONS, REPORT_JOB_OPTIONS, type JobQueue } from './jobs/job.queue.js';
export { createRedis, closeRedis, whenReady } from './jobs/redis.js';
export { DeployEventType, topics, type DeployEventPayload, type BuildLogPayload } from './events/deploy-event.js';
export { EventPublisher, createPubSub, isReportedEvent, type KipperPubSub, type EventPublisherOptions } from './events/event.publisher.js';

// Composition
export { createServices, type KipperServices, type ServiceDeps } from './services.js';
