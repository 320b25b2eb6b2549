import { App } from '../apps/app.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { ApiToken } from '../auth/api-token.entity.js';
import { Build } from '../builds/build.entity.js';
import { WebhookDelivery } from '../deliveries/webhook-delivery.entity.js';
import { FeedbackConnection } from '../feedback/feedback-connection.entity.js';
import { FeedbackReport } from '../feedback/feedback-report.entity.js';
import { NotificationChannel } from '../notifications/notification-channel.entity.js';
import { NotificationDelivery } from '../notifications/notification-delivery.entity.js';
import { Environment } from '../projects/environment.entity.js';
import { Project } from '../projects/project.entity.js';
import { Revision } from '../revisions/revision.entity.js';
import { Webhook } from '../webhooks/webhook.entity.js';
import { CiTokenUse } from '../keyless/ci-token-use.entity.js';
import { WebhookTrust } from '../keyless/webhook-trust.entity.js';

export const entities = [Project, Environment, App, Revision, Build, Webhook, WebhookDelivery, AuditEntry, ApiToken, FeedbackConnection, FeedbackReport, NotificationChannel, NotificationDelivery, WebhookTrust, CiTokenUse];
