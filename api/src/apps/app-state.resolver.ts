import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { webhookSecretMissingMessage, type App, type AppPin, type Revision } from '@kipper/core';
import type { KipperContext } from '../graphql/context.js';
import type { Loaders } from '../graphql/loaders.js';
import { AppDriftType, AppHealthType, AppPinType, AppType, driftOf, healthOf } from './app.types.js';

/** The app's pin with its revision, through the request's loaders (a page of apps or held revisions costs one query). */
export async function loadPin(app: App, loaders: Pick<Loaders, 'revision'>): Promise<(AppPin & { revision: Revision }) | null> {
  if (!app.pinnedRevisionId || !app.pinnedBy || !app.pinnedAt) return null;
  const revision = await loaders.revision.load(app.pinnedRevisionId);
  return revision ? { revision, by: app.pinnedBy, at: app.pinnedAt } : null;
}

/**
 * What the cluster and the pin say about an app: health and drift as the worker last observed
 * them, the pin of a rollback, a webhook Secret gone from the cluster. Read-only; the worker
 * keeps them current (core's AppConditionsService), the mutations are in AppResolver.
 */
@Resolver(() => AppType)
export class AppStateResolver {
  @FieldResolver(() => AppPinType, { nullable: true, description: 'Set by a rollback (unless pin: false); null when the app follows its webhooks and git pushes.' })
  pin(@Root() app: App, @Ctx() ctx: KipperContext): Promise<AppPin | null> {
    return loadPin(app, ctx.loaders);
  }

  @FieldResolver(() => AppHealthType, { nullable: true, description: 'Null until the worker first observed the app in the cluster.' })
  health(@Root() app: App): AppHealthType | null {
    return healthOf(app.health);
  }

  @FieldResolver(() => AppDriftType, { nullable: true, description: 'Drift the reconciler reported and did not repair (drift policy REPORT); null when the cluster matches the record.' })
  drift(@Root() app: App): AppDriftType | null {
    return driftOf(app.drift);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Null, or what to do while the webhook is enabled but its Secret is gone from the cluster (GitHub signatures cannot be checked; X-Kipper-Token still works).',
  })
  async webhookSecretMissing(@Root() app: App, @Ctx() ctx: KipperContext): Promise<string | null> {
    const webhook = await ctx.loaders.webhookOf.load(app.id);
    return webhook?.enabled && webhook.secretMissingSince ? webhookSecretMissingMessage(app.name) : null;
  }
}
