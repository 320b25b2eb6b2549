import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { clampPage, ErrorCode, KipperError, ProjectRole, type App, type CreatedNotificationChannel, type NotificationChannel, type NotificationDelivery, type Project, type Revision } from '@kipper/core';
import { AppRefInput, AppType } from '../apps/app.types.js';
import { appFor, onlyVisible, projectFor } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { ProjectType } from '../projects/project.types.js';
import { RevisionType } from '../revisions/revision.types.js';
import { CreateNotificationChannelInput, CreatedNotificationChannelType, NotificationChannelType, NotificationDeliveryType } from './notification.types.js';

/** The channel, when the caller holds `role` in its project; one they cannot see is NOTIFICATION_CHANNEL_NOT_FOUND. */
async function channelFor(ctx: KipperContext, id: string, role: ProjectRole, what: string): Promise<NotificationChannel> {
  const channel = await ctx.services.notifications.getOrFail(id);
  const notFound = () => new KipperError(ErrorCode.NOTIFICATION_CHANNEL_NOT_FOUND, `No notification channel ${id} (kip notifications list shows them)`);
  await ctx.services.access.require(ctx.principal, channel.projectId, role, what, { notFound });
  return channel;
}

/** GraphQL over NotificationService; no logic of its own. */
@Resolver(() => NotificationChannelType)
export class NotificationResolver {
  @Query(() => [NotificationChannelType], {
    description: 'Newest first. With `project`: its channels (project-wide and of its apps); with `app`: the channels that send for that app (its own and its project\'s); with neither: all.',
  })
  async notificationChannels(
    @Arg('project', () => String, { nullable: true }) project: string | null,
    @Arg('app', () => AppRefInput, { nullable: true }) ref: AppRefInput | null,
    @Ctx() ctx: KipperContext,
  ): Promise<NotificationChannel[]> {
    if (project) await projectFor(ctx, project, ProjectRole.VIEWER, 'Listing notification channels');
    const app = ref ? await appFor(ctx, { ...ref, project: ref.project ?? project }, ProjectRole.VIEWER, 'Listing notification channels') : null;
    return onlyVisible(ctx, await ctx.services.notifications.list({ project, app }), (channel) => channel.projectId);
  }

  @Query(() => [NotificationDeliveryType], {
    description: 'Delivery attempts, newest first: of one channel, of a project\'s channels, or of all. NOTIFICATION_CHANNEL_NOT_FOUND for an unknown channel.',
  })
  async notificationDeliveries(
    @Arg('channel', () => ID, { nullable: true }) channel: string | null,
    @Arg('project', () => String, { nullable: true }) project: string | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: KipperContext,
  ): Promise<NotificationDelivery[]> {
    if (channel) await channelFor(ctx, channel, ProjectRole.VIEWER, 'Reading deliveries');
    if (project) await projectFor(ctx, project, ProjectRole.VIEWER, 'Reading deliveries');
    const rows = await ctx.services.notifications.deliveries({ channelId: channel, project, first: clampPage(first) });
    return onlyVisible(ctx, rows, async (delivery) => (await ctx.services.notifications.get(delivery.channelId))?.projectId ?? null);
  }

  @Mutation(() => CreatedNotificationChannelType, {
    description: 'Adds a channel; WEBHOOK channels get a signing secret, returned this once. The URL is refused when it is not http(s) or points into Kipper\'s own network (VALIDATION_FAILED).',
  })
  async createNotificationChannel(
    @Arg('input', () => CreateNotificationChannelInput) input: CreateNotificationChannelInput,
    @Ctx() ctx: KipperContext,
  ): Promise<CreatedNotificationChannel> {
    await projectFor(ctx, input.project, ProjectRole.ADMIN, 'Adding a notification channel');
    return ctx.services.notifications.create(input, ctx.actor);
  }

  @Mutation(() => NotificationChannelType, { description: 'Removes the channel, its delivery record and its Secret; returns what was removed.' })
  async deleteNotificationChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: KipperContext): Promise<NotificationChannel> {
    await channelFor(ctx, id, ProjectRole.ADMIN, 'Removing a notification channel');
    return ctx.services.notifications.delete(id, ctx.actor);
  }

  @FieldResolver(() => String, {
    description: 'Scheme, host and the start of the path; the full URL (a Slack URL is a credential) is kept only in the Kubernetes Secret `kipper-notification-{id}`.',
  })
  url(@Root() channel: NotificationChannel): string {
    return channel.displayUrl;
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() channel: NotificationChannel, @Ctx() ctx: KipperContext): Promise<Project> {
    return (await ctx.loaders.project.load(channel.projectId))!;
  }

  @FieldResolver(() => AppType, { nullable: true, description: 'Null: a channel of the whole project.' })
  app(@Root() channel: NotificationChannel, @Ctx() ctx: KipperContext): Promise<App | null> {
    return channel.appId ? ctx.loaders.app.load(channel.appId) : Promise.resolve(null);
  }

  @FieldResolver(() => [NotificationDeliveryType], { description: 'Its newest delivery attempts.' })
  deliveries(@Root() channel: NotificationChannel, @Arg('first', () => Int, { defaultValue: 10 }) first: number, @Ctx() ctx: KipperContext): Promise<NotificationDelivery[]> {
    return ctx.services.notifications.deliveriesOf(channel.id, clampPage(first));
  }
}

@Resolver(() => NotificationDeliveryType)
export class NotificationDeliveryResolver {
  @FieldResolver(() => RevisionType, { nullable: true, description: 'The revision the notification was about; null once it is gone.' })
  revision(@Root() delivery: NotificationDelivery, @Ctx() ctx: KipperContext): Promise<Revision | null> {
    return delivery.revisionId ? ctx.loaders.revision.load(delivery.revisionId) : Promise.resolve(null);
  }
}
