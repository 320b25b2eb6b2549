import { randomUUID } from 'node:crypto';
import type { Cluster } from '@kipper/kube';
import { Brackets, type DataSource } from 'typeorm';
import { App } from '../apps/app.entity.js';
import type { AppService } from '../apps/app.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { generateToken } from '../auth/secret-token.js';
import type { KipperConfig } from '../config/config.js';
import { inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { isUuid } from '../database/uuid.js';
import { describeError, type Logger } from '../logger.js';
import { Project } from '../projects/project.entity.js';
import type { ProjectService } from '../projects/project.service.js';
import { appLabel } from '../revisions/revision.records.js';
import { NotificationChannel, NotificationChannelKind } from './notification-channel.entity.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { isNotificationEvent, NOTIFICATION_EVENTS, type NotificationEvent } from './notification-event.js';
import { displayUrlOf, hostOf, notificationHostProblem, parseNotificationUrl } from './notification-url.js';

export interface CreateNotificationChannelInput {
  project: string;
  /** One app of the project (its name); omitted: every app of the project. */
  app?: string | null;
  /** The app's environment, when the project has an app of that name in several. */
  environment?: string | null;
  /** Default `webhook`. */
  kind?: NotificationChannelKind | null;
  url: string;
  /** Default: every documented type. */
  events?: readonly NotificationEvent[] | null;
}

/** A new channel and, for `webhook` channels, its signing secret: shown this once, kept only in the Kubernetes Secret. */
export interface CreatedNotificationChannel {
  channel: NotificationChannel;
  signingSecret: string | null;
}

export interface NotificationChannelFilter {
  project?: string | null;
  /** Channels that apply to this app: its own and its project's. */
  app?: App | null;
}

/** Channels one project may have (each event is one request per channel). */
export const CHANNELS_PER_PROJECT_MAX = 20;

function invalid(field: string, message: string): KipperError {
  return new KipperError(ErrorCode.VALIDATION_FAILED, message, { field });
}

/**
 * Notification channels of projects and apps as people manage them (GraphQL, kip): create, list,
 * remove, and the record of attempts. The URL and signing secret live in the Kubernetes Secret
 * `kipper-notification-{id}`, never in PostgreSQL. Sending is the worker's, through
 * NotificationDispatchService.
 */
export class NotificationService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      cluster: Pick<Cluster, 'readNotificationSecret' | 'writeNotificationSecret' | 'deleteNotificationSecret'>;
      config: Pick<KipperConfig, 'notifyAllowPrivate'>;
      projects: Pick<ProjectService, 'getOrFail' | 'environments'>;
      apps: Pick<AppService, 'resolve'>;
      audit: Pick<AuditService, 'record'>;
      log: Pick<Logger, 'warn'>;
    },
  ) {}

  private get channels() {
    return this.deps.dataSource.getRepository(NotificationChannel);
  }

  /**
   * Checks the URL (form, and that its host is not inside Kipper's network unless
   * KIPPER_NOTIFY_ALLOW_PRIVATE), writes the Secret, then the row and its audit entry; a failed
   * row takes the Secret away again. The signing secret is returned once.
   */
  async create(input: CreateNotificationChannelInput, actor: string): Promise<CreatedNotificationChannel> {
    const project = await this.deps.projects.getOrFail(input.project);
    const app = input.app ? await this.deps.apps.resolve({ project: input.project, environment: input.environment ?? null, name: input.app }) : null;
    if (!app && input.environment) throw invalid('environment', 'environment names the environment of --app; a project channel covers every environment');
    const kind = input.kind ?? NotificationChannelKind.WEBHOOK;
    const url = await this.checkUrl(input.url);
    const events = this.checkEvents(input.events);
    const count = await this.channels.countBy({ projectId: project.id });
    if (count >= CHANNELS_PER_PROJECT_MAX) {
      throw new KipperError(ErrorCode.CONFLICT, `Project ${project.name} has ${count} notification channels, the most it may have: remove one first (kip notifications remove ID)`);
    }
    const namespace = app ? app.namespace : (await this.deps.projects.environments(project.id))[0]?.namespace;
    if (!namespace) throw new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, `Project ${project.name} has no environments`);
    const id = randomUUID();
    const signingSecret = kind === NotificationChannelKind.WEBHOOK ? generateToken() : null;
    await inCluster(() => this.deps.cluster.writeNotificationSecret(namespace, id, app?.name ?? null, { url: url.toString(), signingSecret }));
    try {
      const channel = await this.deps.dataSource.transaction(async (manager) => {
        const saved = await manager.save(
          manager.create(NotificationChannel, {
            id,
            projectId: project.id,
            appId: app?.id ?? null,
            kind,
            displayUrl: displayUrlOf(url, kind),
            secretNamespace: namespace,
            events: [...events],
            enabled: true,
            createdBy: actor,
          }),
        );
        await this.deps.audit.record(actor, 'notification.create', app ? appLabel(app) : project.name, { id, kind, url: saved.displayUrl, events }, manager);
        return saved;
      });
      return { channel, signingSecret };
    } catch (err) {
      await inCluster(() => this.deps.cluster.deleteNotificationSecret(namespace, id)).catch(() => undefined);
      throw err;
    }
  }

  /** Newest first. With `app`: the channels that send for it (its own and its project's). */
  async list(filter: NotificationChannelFilter = {}): Promise<NotificationChannel[]> {
    const query = this.channels.createQueryBuilder('channel').orderBy('channel.created_at', 'DESC');
    if (filter.app) {
      const app = filter.app;
      query.where('channel.project_id = :projectId', { projectId: app.projectId }).andWhere(
        new Brackets((where) => where.where('channel.app_id IS NULL').orWhere('channel.app_id = :appId', { appId: app.id })),
      );
    } else if (filter.project) {
      const project = await this.deps.projects.getOrFail(filter.project);
      query.where('channel.project_id = :projectId', { projectId: project.id });
    }
    return query.getMany();
  }

  async get(id: string): Promise<NotificationChannel | null> {
    return isUuid(id) ? this.channels.findOneBy({ id }) : null;
  }

  async getOrFail(id: string): Promise<NotificationChannel> {
    const channel = await this.get(id);
    if (!channel) throw new KipperError(ErrorCode.NOTIFICATION_CHANNEL_NOT_FOUND, `No notification channel ${id} (kip notifications list shows them)`);
    return channel;
  }

  /** Deletes the row (its deliveries go with it) and its audit entry, then the Secret; a Secret left behind is logged, never an error. */
  async delete(id: string, actor: string): Promise<NotificationChannel> {
    const channel = await this.getOrFail(id);
    const target = await this.auditTarget(channel);
    await this.deps.dataSource.transaction(async (manager) => {
      await manager.delete(NotificationChannel, { id: channel.id });
      await this.deps.audit.record(actor, 'notification.delete', target, { id: channel.id, kind: channel.kind, url: channel.displayUrl }, manager);
    });
    try {
      await inCluster(() => this.deps.cluster.deleteNotificationSecret(channel.secretNamespace, channel.id));
    } catch (err) {
      this.deps.log.warn(`notification channel ${channel.id}: its Secret in ${channel.secretNamespace} was not deleted: ${describeError(err, { stack: false })}`);
    }
    return channel;
  }

  /** A channel's attempts, newest first (none for a channel that is gone). */
  async deliveriesOf(channelId: string, first: number): Promise<NotificationDelivery[]> {
    return this.deps.dataSource.getRepository(NotificationDelivery).find({ where: { channelId }, order: { at: 'DESC', attempt: 'DESC' }, take: first });
  }

  /** Attempts, newest first: of one channel (NOTIFICATION_CHANNEL_NOT_FOUND when unknown), of a project's channels, or of all. */
  async deliveries(options: { channelId?: string | null; project?: string | null; first: number }): Promise<NotificationDelivery[]> {
    const query = this.deps.dataSource
      .getRepository(NotificationDelivery)
      .createQueryBuilder('delivery')
      .orderBy('delivery.at', 'DESC')
      .addOrderBy('delivery.attempt', 'DESC')
      .take(options.first);
    if (options.channelId) {
      const channel = await this.getOrFail(options.channelId);
      query.where('delivery.channel_id = :channelId', { channelId: channel.id });
    } else if (options.project) {
      const project = await this.deps.projects.getOrFail(options.project);
      query.innerJoin(NotificationChannel, 'channel', 'channel.id = delivery.channel_id').where('channel.project_id = :projectId', { projectId: project.id });
    }
    return query.getMany();
  }

  /** What audit entries name: `{namespace}/{app}` for an app's channel, the project's name for a project's. */
  private async auditTarget(channel: NotificationChannel): Promise<string> {
    if (channel.appId) {
      const app = await this.deps.dataSource.getRepository(App).findOneBy({ id: channel.appId });
      if (app) return appLabel(app);
    }
    const project = await this.deps.dataSource.getRepository(Project).findOneBy({ id: channel.projectId });
    return project?.name ?? channel.projectId;
  }

  private async checkUrl(value: string): Promise<URL> {
    const parsed = parseNotificationUrl(value.trim());
    if (!parsed.ok) throw invalid('url', `Notification URL ${parsed.problem}`);
    const problem = await notificationHostProblem(hostOf(parsed.url), this.deps.config.notifyAllowPrivate);
    if (problem) throw invalid('url', `Notification URL ${problem}`);
    return parsed.url;
  }

  private checkEvents(events: readonly NotificationEvent[] | null | undefined): readonly NotificationEvent[] {
    if (events === null || events === undefined) return NOTIFICATION_EVENTS;
    if (events.length === 0) throw invalid('events', `Subscribe to at least one event: ${NOTIFICATION_EVENTS.join(', ')}`);
    const unknown = events.filter((e) => !isNotificationEvent(e));
    if (unknown.length) throw invalid('events', `Unknown event ${unknown.map((e) => JSON.stringify(e)).join(', ')}: the types are ${NOTIFICATION_EVENTS.join(', ')}`);
    return NOTIFICATION_EVENTS.filter((e) => events.includes(e));
  }
}
