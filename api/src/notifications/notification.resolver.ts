import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { clampPage, type App, type CreatedNotificationChannel, type NotificationChannel, type NotificationDelivery, type Project, type Revision } from '@kipper/core';
import { AppRefInput, AppType } from '../apps/app.types.js';
import type { KipperContext } from '../graphql/context.js';
import { ProjectType } from '../projects/project.types.js';
import { RevisionType } from '../revisions/revision.types.js';
import { CreateNotificationChannelInput, CreatedNotificationChannelType, NotificationChannelType, NotificationDeliveryType } from './notification.types.js';

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
    const app = ref ? await ctx.services.apps.resolve({ ...ref, project: ref.project ?? project }) : null;
    return ctx.services.notifications.list({ project, app });
  }

  @Query(() => [NotificationDeliveryType], {
    description: 'Delivery attempts, newest first: of one channel, of a project\'s channels, or of all. NOTIFICATION_CHANNEL_NOT_FOUND for an unknown channel.',
  })
  notificationDeliveries(
    @Arg('channel', () => ID, { nullable: true }) channel: string | null,
    @Arg('project', () => String, { nullable: true }) project: string | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() ctx: KipperContext,
  ): Promise<NotificationDelivery[]> {
    return ctx.services.notifications.deliveries({ channelId: channel, project, first: clampPage(first) });
  }

  @Mutation(() => CreatedNotificationChannelType, {
    description: 'Adds a channel; WEBHOOK channels get a signing secret, returned this once. The URL is refused when it is not http(s) or points into Kipper\'s own network (VALIDATION_FAILED).',
  })
  createNotificationChannel(
    @Arg('input', () => CreateNotificationChannelInput) input: CreateNotificationChannelInput,
    @Ctx() ctx: KipperContext,
  ): Promise<CreatedNotificationChannel> {
    return ctx.services.notifications.create(input, ctx.actor);
  }

  @Mutation(() => NotificationChannelType, { description: 'Removes the channel, its delivery record and its Secret; returns what was removed.' })
  deleteNotificationChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: KipperContext): Promise<NotificationChannel> {
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
