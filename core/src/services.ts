import type { Cluster } from '@kipper/kube';
import type { DataSource } from 'typeorm';
import { AppConditionsService } from './apps/app-conditions.service.js';
import { AppService } from './apps/app.service.js';
import { AppSettingsService } from './apps/app-settings.service.js';
import { AuditService } from './audit/audit.service.js';
import { ApprovalService } from './approvals/approval.service.js';
import { PromotionPreviewService } from './promotion/promotion-preview.service.js';
import { AccessService } from './access/access.service.js';
import { SingleSignOnService } from './people/single-sign-on.service.js';
import { AuthService } from './auth/auth.service.js';
import { TokenService } from './auth/token.service.js';
import { MemberService } from './people/member.service.js';
import { SessionService } from './people/session.service.js';
import { UserService } from './people/user.service.js';
import { BuildLifecycleService } from './builds/build-lifecycle.service.js';
import { BuildService } from './builds/build.service.js';
import type { KipperConfig } from './config/config.js';
import { DeliveryService } from './deliveries/delivery.service.js';
import { EventPublisher, type KipperPubSub } from './events/event.publisher.js';
import { FeedbackService } from './feedback/feedback.service.js';
import type { JobQueue } from './jobs/job.queue.js';
import { NotificationService } from './notifications/notification.service.js';
import { ProjectService } from './projects/project.service.js';
import { RevisionLifecycleService } from './revisions/revision-lifecycle.service.js';
import { RevisionService } from './revisions/revision.service.js';
import { RuntimeService } from './runtime/runtime.service.js';
import { WebhookService } from './webhooks/webhook.service.js';
import { CiIdentityService } from './keyless/ci-identity.service.js';
import { WebhookTrustService } from './keyless/webhook-trust.service.js';
import { describeError, type Logger } from './logger.js';

/** The composition root's services, as the transports (GraphQL, REST) and the worker see them. */
export interface KipperServices {
  config: KipperConfig;
  dataSource: DataSource;
  projects: ProjectService;
  apps: AppService;
  /** Changing an existing app: settings (port, replicas, host, policies), env and its Secrets. */
  appSettings: AppSettingsService;
  /** What the worker observes in the cluster (health, drift, repairs, missing Secrets), recorded on apps. */
  conditions: AppConditionsService;
  revisions: RevisionService;
  /** Every status change of a revision after it was recorded (the worker's side of the lifecycle). */
  revisionLifecycle: RevisionLifecycleService;
  builds: BuildService;
  buildLifecycle: BuildLifecycleService;
  audit: AuditService;
  auth: AuthService;
  /** People, their passwords and their disabling. */
  users: UserService;
  /** Console sessions (cookie + CSRF token). */
  sessions: SessionService;
  tokens: TokenService;
  members: MemberService;
  /** People signing in through an OpenID provider (KIPPER_OIDC_*): found, linked or created. */
  singleSignOn: SingleSignOnService;
  /** Who may do what in which project (every GraphQL field asks). */
  access: AccessService;
  webhooks: WebhookService;
  deliveries: DeliveryService;
  /** The CI identities (OIDC issuer + subject) apps' webhooks trust: keyless CI. */
  webhookTrusts: WebhookTrustService;
  /** Checks keyless CI tokens against those trusts; uses a token's jti up. */
  ciIdentities: CiIdentityService;
  /** Connections of apps to GitHub and GitLab, and what was reported through them. */
  feedback: FeedbackService;
  /** Notification channels of projects and apps, and every attempt to send to them (the worker sends). */
  notifications: NotificationService;
  /** Approvals of deploys into environments that require them, and environment freezes. */
  approvals: ApprovalService;
  /** What a promotion would change (image, digest, commits, settings, approvals), read only. */
  promotionPreview: PromotionPreviewService;
  events: EventPublisher;
  /** What runs of an app, read from the cluster: pods, their events and logs. */
  runtime: RuntimeService;
  pubsub: KipperPubSub;
  queue: JobQueue;
}

export interface ServiceDeps {
  config: KipperConfig;
  dataSource: DataSource;
  cluster: Cluster;
  queue: JobQueue;
  pubsub: KipperPubSub;
  log: Logger;
}

/** Wires the transport-free services together (the api's composition root uses it; so may the worker). */
export function createServices(deps: ServiceDeps): KipperServices {
  const { config, dataSource, cluster, queue, pubsub, log } = deps;
  const audit = new AuditService({ dataSource });
  const events = new EventPublisher(pubsub, { jobs: queue, onError: (err) => log.warn(`live event or report not sent: ${describeError(err, { stack: false })}`) });
  const revisions = new RevisionService({ dataSource, queue, events, audit, warn: (message) => log.warn(message) });
  const projects = new ProjectService({ dataSource, cluster, audit });
  const apps = new AppService({ dataSource, cluster, config, projects, revisions, audit });
  const users = new UserService({ dataSource, audit });
  const tokens = new TokenService({ dataSource, audit });
  const members = new MemberService({ dataSource, audit });
  return {
    config,
    dataSource,
    queue,
    pubsub,
    events,
    audit,
    revisions,
    projects,
    apps,
    appSettings: new AppSettingsService({ dataSource, cluster, config, revisions, audit, warn: (message) => log.warn(message) }),
    conditions: new AppConditionsService({ dataSource, audit, events }),
    revisionLifecycle: new RevisionLifecycleService({ dataSource, queue, events, audit, log }),
    builds: new BuildService({ dataSource }),
    buildLifecycle: new BuildLifecycleService({ dataSource, events, audit }),
    auth: new AuthService({ dataSource, adminToken: config.adminToken, users, tokens }),
    users,
    sessions: new SessionService({ dataSource }),
    tokens,
    members,
    singleSignOn: new SingleSignOnService({ dataSource, audit, options: { roleClaim: config.oidc?.roleClaim ?? null } }),
    access: new AccessService({ dataSource, members }),
    webhooks: new WebhookService({ dataSource, cluster, config, audit, log: (message) => log.error(message) }),
    deliveries: new DeliveryService({ dataSource }),
    webhookTrusts: new WebhookTrustService({ dataSource, config, audit }),
    ciIdentities: new CiIdentityService({ dataSource, config, log: (message) => log.warn(message) }),
    feedback: new FeedbackService({ dataSource, cluster, config, audit }),
    approvals: new ApprovalService({ dataSource, queue, events, audit }),
    promotionPreview: new PromotionPreviewService({ dataSource, config }),
    notifications: new NotificationService({ dataSource, cluster, config, projects, apps, audit, log }),
    runtime: new RuntimeService({ cluster }),
  };
}
