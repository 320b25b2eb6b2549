import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { loadPin } from '../apps/app-state.resolver.js';
import { AppType } from '../apps/app.types.js';
import { heldMessage, RevisionStatus, type App, type Build, type Revision, type RolloutProgress } from '@kipper/core';
import { BuildType } from '../builds/build.types.js';
import type { KipperContext } from '../graphql/context.js';
import { PromotionSourceType, RevisionType, RolloutProgressType } from './revision.types.js';

@Resolver(() => RevisionType)
export class RevisionResolver {
  @FieldResolver(() => AppType)
  async app(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<App> {
    return (await ctx.loaders.app.load(revision.appId))!;
  }

  @FieldResolver(() => Boolean, { description: 'Is this the revision Kubernetes runs now?' })
  async current(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<boolean> {
    const app = await ctx.loaders.app.load(revision.appId);
    return app?.currentRevisionId === revision.id;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'For a rollback: the number of the revision whose image it went back to.' })
  async rollbackTo(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<number | null> {
    if (!revision.rollbackToRevisionId) return null;
    return (await ctx.loaders.revision.load(revision.rollbackToRevisionId))?.number ?? null;
  }

  @FieldResolver(() => PromotionSourceType, { nullable: true, description: 'For a promotion: the revision it was copied from.' })
  async promotedFrom(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<PromotionSourceType | null> {
    if (!revision.promotedFromRevisionId) return null;
    const source = await ctx.loaders.revision.load(revision.promotedFromRevisionId);
    const app = source ? await ctx.loaders.app.load(source.appId) : null;
    const env = app ? await ctx.loaders.environment.load(app.environmentId) : null;
    if (!source || !app || !env) return null;
    return { namespace: app.namespace, environment: env.name, app: app.name, revision: source.number };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Null unless HELD: why the revision waits (the pin, who rolled back and when) and the command that deploys it.',
  })
  async heldReason(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<string | null> {
    if (revision.status !== RevisionStatus.HELD) return null;
    const app = await ctx.loaders.app.load(revision.appId);
    const pin = app ? await loadPin(app, ctx.loaders) : null;
    return app && pin ? heldMessage(app.name, revision.number, pin) : null;
  }

  @FieldResolver(() => BuildType, { nullable: true })
  build(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<Build | null> {
    return revision.buildId ? ctx.loaders.build.load(revision.buildId) : Promise.resolve(null);
  }
}

/** Progress recorded before `available` and `old` were counted has neither: 0, as the schema promises. */
@Resolver(() => RolloutProgressType)
export class RolloutProgressResolver {
  @FieldResolver(() => Int, { description: 'Pods of the new ReplicaSet that are available (ready for minReadySeconds); 0 when unknown.' })
  available(@Root() progress: RolloutProgress): number {
    return progress.available ?? 0;
  }

  @FieldResolver(() => Int, { description: 'Pods of older ReplicaSets still serving; 0 when unknown.' })
  old(@Root() progress: RolloutProgress): number {
    return progress.old ?? 0;
  }
}
