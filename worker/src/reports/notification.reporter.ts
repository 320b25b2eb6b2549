import {
  DELIVERY_HEADER,
  describeError,
  EVENT_HEADER,
  NotificationChannelKind,
  NotificationDeliveryOutcome,
  NotificationDispatchService,
  notificationDeliveryId,
  notificationEventOf,
  notificationPayload,
  notificationSignature,
  Project,
  REPORT_JOB_OPTIONS,
  SIGNATURE_HEADER,
  slackPayload,
  type KipperConfig,
  type Logger,
  type NotificationAttempt,
  type NotificationChannel,
  type NotificationEvent,
} from '@kipper/core';
import type { Cluster } from '@kipper/kube';
import type { DataSource } from 'typeorm';
import { PermanentReportError, type Reporter, type RevisionReport } from './reporter.js';
import { sendNotification, type SendOptions, type SendResult } from './notification.sender.js';

export interface NotificationReporterDeps {
  db: DataSource;
  cluster: Pick<Cluster, 'readNotificationSecret'>;
  config: Pick<KipperConfig, 'notifyAllowPrivate'>;
  log: Logger;
  /** The POST (tests); default sendNotification. */
  send?: (url: string, body: string, headers: Record<string, string>, options: SendOptions) => Promise<SendResult>;
}

/** Attempts of one delivery before it is given up (the reports queue's). */
const MAX_ATTEMPTS = REPORT_JOB_OPTIONS.attempts ?? 1;

/**
 * Notification channels as a reporter: a target is a channel that subscribed to the event's
 * notification type (`notificationEventOf`); a delivery reads the channel's URL and signing
 * secret from its Kubernetes Secret, POSTs the signed JSON (or the Slack text), records the
 * attempt, and throws so the queue retries with back-off when the receiver did not answer 2xx.
 */
export class NotificationReporter implements Reporter {
  readonly name = 'notify';
  private readonly dispatch: NotificationDispatchService;
  private readonly send: NonNullable<NotificationReporterDeps['send']>;

  constructor(private readonly deps: NotificationReporterDeps) {
    this.dispatch = new NotificationDispatchService({ dataSource: deps.db, cluster: deps.cluster });
    this.send = deps.send ?? sendNotification;
  }

  async targets(report: RevisionReport): Promise<string[]> {
    const event = notificationEventOf(report.type, report.revision, report.message);
    if (!event) return [];
    return (await this.dispatch.channelsFor(report.app, event)).map((channel) => channel.id);
  }

  async deliver(target: string, report: RevisionReport, attempt: number): Promise<void> {
    const event = notificationEventOf(report.type, report.revision, report.message);
    const channel = await this.dispatch.channel(target);
    // Removed, disabled or re-scoped since the event was fanned out: nothing to send.
    if (!event || !channel || !channel.enabled || !channel.events.includes(event) || !this.covers(channel, report)) return;
    const deliveryId = notificationDeliveryId(channel.id, event, report.revision.id, report.at);
    const record = async (outcome: NotificationDeliveryOutcome, result: Partial<SendResult> & { error: string | null }) => {
      const row: NotificationAttempt = {
        channelId: channel.id,
        deliveryId,
        event,
        revisionId: report.revision.id,
        attempt,
        outcome,
        statusCode: result.statusCode ?? null,
        error: result.error,
        latencyMs: result.latencyMs ?? 0,
        responseExcerpt: result.excerpt ?? null,
      };
      try {
        await this.dispatch.recordAttempt(row);
      } catch (error) {
        // The attempt happened either way; a lost record must not turn a delivery into a retry.
        this.deps.log.warn(`notification ${deliveryId} to channel ${channel.id}: attempt ${attempt} not recorded`, error);
      }
    };
    const failedOutcome = (permanent: boolean) => (permanent || attempt >= MAX_ATTEMPTS ? NotificationDeliveryOutcome.FAILED : NotificationDeliveryOutcome.RETRYING);

    let secret;
    try {
      secret = await this.dispatch.secretOf(channel);
    } catch (error) {
      await record(failedOutcome(false), { error: `its Secret could not be read: ${describeError(error, { stack: false })}` });
      throw error;
    }
    if (!secret || (channel.kind === NotificationChannelKind.WEBHOOK && !secret.signingSecret)) {
      const problem = `the Secret kipper-notification-${channel.id} is gone from namespace ${channel.secretNamespace}: remove the channel and add it again`;
      await record(NotificationDeliveryOutcome.FAILED, { error: problem });
      throw new PermanentReportError(problem);
    }

    const { body, headers } = await this.request(channel, event, deliveryId, report, secret.signingSecret);
    const result = await this.send(secret.url, body, headers, { allowPrivate: this.deps.config.notifyAllowPrivate });
    if (result.ok) {
      await record(NotificationDeliveryOutcome.DELIVERED, result);
      return;
    }
    await record(failedOutcome(result.refused), result);
    const message = `notification ${event} to ${channel.displayUrl}: ${result.error ?? 'failed'}`;
    if (result.refused) throw new PermanentReportError(message);
    throw new Error(message);
  }

  /** The channel still covers the app: its project's, and the app's own when it names one. */
  private covers(channel: NotificationChannel, report: RevisionReport): boolean {
    return channel.projectId === report.app.projectId && (channel.appId === null || channel.appId === report.app.id);
  }

  private async request(
    channel: NotificationChannel,
    event: NotificationEvent,
    deliveryId: string,
    report: RevisionReport,
    signingSecret: string | null,
  ): Promise<{ body: string; headers: Record<string, string> }> {
    const project = await this.deps.db.getRepository(Project).findOneBy({ id: report.app.projectId });
    const subject = {
      deliveryId,
      type: event,
      at: report.at,
      project: project?.name ?? '',
      environment: report.environment.name,
      app: report.app,
      revision: report.revision,
      message: report.message,
      consoleUrl: report.consoleUrl,
    };
    const headers: Record<string, string> = { [EVENT_HEADER]: event, [DELIVERY_HEADER]: deliveryId };
    if (channel.kind === NotificationChannelKind.SLACK) return { body: JSON.stringify(slackPayload(subject)), headers };
    const body = JSON.stringify(notificationPayload(subject));
    // Signed per attempt: the timestamp is when this request was made, so a replay later is stale.
    headers[SIGNATURE_HEADER] = notificationSignature(signingSecret!, body, Date.now() / 1000);
    return { body, headers };
  }
}
