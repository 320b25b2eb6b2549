import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ProjectRole, type App, type WebhookDelivery, type Revision, type WebhookSecretView, type WebhookStatus } from '@kipper/core';
import { appFor } from '../access/access.guard.js';
import { AppRefInput, AppType } from '../apps/app.types.js';
import { RevisionType } from '../revisions/revision.types.js';
import type { KipperContext } from './context.js';
import { WebhookDeliveryType, WebhookSecretType, WebhookType } from './webhook.types.js';

/** GraphQL over WebhookService and DeliveryService; no logic of its own. */
@Resolver()
export class WebhookResolver {
  @Query(() => WebhookSecretType, {
    nullable: true,
    description:
      'The token again, with URL and snippets (`kip app webhook status`); null when the webhook is not enabled; WEBHOOK_SECRET_MISSING (with what to run) when its Secret is gone from the cluster: App.webhookSecretMissing and Webhook.secretMissingSince say so without failing.',
  })
  async webhookSecret(@Arg('app', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<WebhookSecretView | null> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Revealing the webhook token');
    return ctx.services.webhooks.secret(app);
  }

  @Mutation(() => WebhookSecretType, { description: 'Enables the webhook, or regenerates its token: the old token stops working at once.' })
  async enableWebhook(@Arg('app', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<WebhookSecretView> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Enabling or rotating the webhook');
    return ctx.services.webhooks.enable(app, ctx.actor);
  }

  @Mutation(() => WebhookType)
  async disableWebhook(@Arg('app', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<WebhookStatus> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Disabling the webhook');
    return ctx.services.webhooks.disable(app, ctx.actor);
  }
}

@Resolver(() => AppType)
export class AppWebhookResolver {
  @FieldResolver(() => WebhookType)
  webhook(@Root() app: App, @Ctx() ctx: KipperContext): Promise<WebhookStatus> {
    return ctx.services.webhooks.status(app);
  }

  @FieldResolver(() => [WebhookDeliveryType], { description: 'Newest first; requests that passed authentication only.' })
  deliveries(@Root() app: App, @Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: KipperContext): Promise<WebhookDelivery[]> {
    return ctx.services.deliveries.recent(app.id, first);
  }
}

@Resolver(() => WebhookDeliveryType)
export class WebhookDeliveryResolver {
  @FieldResolver(() => RevisionType, { nullable: true })
  revision(@Root() delivery: WebhookDelivery, @Ctx() ctx: KipperContext): Promise<Revision | null> {
    return delivery.revisionId ? ctx.loaders.revision.load(delivery.revisionId) : Promise.resolve(null);
  }
}
