import type { Cluster, NotificationSecret } from '@kipper/kube';
import { Brackets, type DataSource } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import { inCluster } from '../errors/cluster-errors.js';
import { isUuid } from '../database/uuid.js';
import { NotificationChannel } from './notification-channel.entity.js';
import { NotificationDelivery, type NotificationDeliveryOutcome } from './notification-delivery.entity.js';
import type { NotificationEvent } from './notification-event.js';

export interface NotificationAttempt {
  channelId: string;
  deliveryId: string;
  event: NotificationEvent;
  revisionId: string | null;
  attempt: number;
  outcome: NotificationDeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
}

/** Longest response excerpt and error text kept per attempt. */
export const RESPONSE_EXCERPT_MAX = 500;
/** Attempts kept per channel; older ones are pruned as new ones are recorded. */
const DELIVERIES_KEPT = 1_000;

/**
 * The worker's side of notifications: which channels get an event, the channel's URL and signing
 * secret from its Kubernetes Secret, and the record of every attempt. Needs only the database and
 * the cluster, so the worker's reporter makes one without the management services.
 */
export class NotificationDispatchService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      cluster: Pick<Cluster, 'readNotificationSecret'>;
    },
  ) {}

  async channel(id: string): Promise<NotificationChannel | null> {
    return isUuid(id) ? this.deps.dataSource.getRepository(NotificationChannel).findOneBy({ id }) : null;
  }

  /** Enabled channels that send `event` for this app: the project's and the app's own. */
  async channelsFor(app: Pick<App, 'id' | 'projectId'>, event: NotificationEvent): Promise<NotificationChannel[]> {
    return this.deps.dataSource
      .getRepository(NotificationChannel)
      .createQueryBuilder('channel')
      .where('channel.project_id = :projectId AND channel.enabled AND :event = ANY(channel.events)', { projectId: app.projectId, event })
      .andWhere(new Brackets((where) => where.where('channel.app_id IS NULL').orWhere('channel.app_id = :appId', { appId: app.id })))
      .orderBy('channel.created_at', 'ASC')
      .getMany();
  }

  /** The URL and signing secret from the channel's Secret; null when the Secret is gone (a recreated cluster). */
  async secretOf(channel: Pick<NotificationChannel, 'id' | 'secretNamespace'>): Promise<NotificationSecret | null> {
    return inCluster(() => this.deps.cluster.readNotificationSecret(channel.secretNamespace, channel.id));
  }

  /** Records one attempt (excerpt and error cut to 500 characters) and prunes the channel's oldest beyond 1,000. */
  async recordAttempt(attempt: NotificationAttempt): Promise<NotificationDelivery> {
    const repo = this.deps.dataSource.getRepository(NotificationDelivery);
    const saved = await repo.save(
      repo.create({
        ...attempt,
        responseExcerpt: attempt.responseExcerpt === null ? null : attempt.responseExcerpt.slice(0, RESPONSE_EXCERPT_MAX),
        error: attempt.error === null ? null : attempt.error.slice(0, RESPONSE_EXCERPT_MAX),
        latencyMs: Math.max(0, Math.round(attempt.latencyMs)),
      }),
    );
    await this.deps.dataSource.query(
      `DELETE FROM notification_delivery WHERE id IN (
         SELECT id FROM notification_delivery WHERE channel_id = $1 ORDER BY at DESC, attempt DESC OFFSET $2)`,
      [attempt.channelId, DELIVERIES_KEPT],
    );
    return saved;
  }
}
