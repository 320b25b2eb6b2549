import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BuildType } from '../builds/build.types.js';
import { type Build, type Environment, ErrorCode, KipperError, type Project, ProjectRole, RevisionTrigger, type Revision, type App } from '@kipper/core';
import { appFor, onlyVisible, projectFor, requireInEnvironment, visibleApp } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { EnvironmentType, ProjectType } from '../projects/project.types.js';
import { CancelResultType, RevisionConnectionType, RevisionType } from '../revisions/revision.types.js';
import { AppRefInput, AppSettingsInput, AppType, DeployAppInput, UnpinResultType } from './app.types.js';

@Resolver(() => AppType)
export class AppResolver {
  @Query(() => AppType, { nullable: true, description: 'Null when no such app exists; AMBIGUOUS_APP when `name` alone matches several.' })
  app(@Arg('ref', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<App | null> {
    return visibleApp(ctx, ref);
  }

  @Query(() => [AppType])
  async apps(
    @Arg('project', () => String, { nullable: true }) project: string | null,
    @Arg('environment', () => String, { nullable: true }) environment: string | null,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<App[]> {
    if (project) await projectFor(ctx, project, ProjectRole.VIEWER, 'Listing apps');
    return onlyVisible(ctx, await ctx.services.apps.list({ project, environment, name }), (app) => app.projectId);
  }

  @Mutation(() => AppType, { description: 'Creates the app and queues its first revision (image apps) or build (git apps).' })
  async deployApp(@Arg('input', () => DeployAppInput) input: DeployAppInput, @Ctx() ctx: KipperContext): Promise<App> {
    if (input.project) await projectFor(ctx, input.project, ProjectRole.VIEWER, 'Deploying an app');
    const env = await ctx.services.apps.environmentFor(input);
    const notFound = () => new KipperError(ErrorCode.ENVIRONMENT_NOT_FOUND, `No environment of any project uses namespace ${input.namespace}`);
    await requireInEnvironment(ctx, env, ProjectRole.DEPLOYER, 'Deploying an app', notFound);
    const { app } = await ctx.services.apps.deploy(input, ctx.actor);
    return app;
  }

  @Mutation(() => RevisionType, { description: 'Deploys a new image as a `manual` revision.' })
  async updateImage(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('image', () => String) image: string,
    @Arg('commit', () => String, { nullable: true }) commit: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<Revision> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Deploying an image');
    return ctx.services.revisions.deployImage(app, { image, commit, trigger: RevisionTrigger.MANUAL, triggeredBy: ctx.actor });
  }

  @Mutation(() => RevisionType, {
    description:
      'Without `revision`: back to the newest earlier live revision with a different image. With `pin` (the default) the app is pinned to the new revision: webhooks and git pushes are recorded HELD until unpinApp.',
  })
  async rollbackApp(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('revision', () => Int, { nullable: true }) revision: number | null,
    @Arg('pin', () => Boolean, { nullable: true, defaultValue: true }) pin: boolean | null,
    @Ctx() ctx: KipperContext,
  ): Promise<Revision> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Rolling back');
    // A frozen environment still takes a project admin's rollback.
    const byAdmin = (await ctx.services.access.projectRole(ctx.principal, app.projectId)) === ProjectRole.ADMIN;
    return ctx.services.revisions.rollback(app, { toNumber: revision, actor: ctx.actor, pin: pin ?? true, byAdmin });
  }

  @Mutation(() => CancelResultType, {
    description:
      'Stops what the app is doing: every queued, building or rolling out revision becomes CANCELLED; when a rollout was stopped, the last live image comes back as a new ROLLBACK revision. NOTHING_TO_CANCEL when nothing is in flight.',
  })
  async cancelRollout(@Arg('app', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<{ cancelled: Revision[]; rollback: Revision | null }> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Cancelling a rollout');
    const { cancelled, rollback } = await ctx.services.revisionLifecycle.cancel(app, ctx.actor);
    return { cancelled, rollback };
  }

  @Mutation(() => UnpinResultType, { description: 'Removes the pin and deploys the newest held revision (older held ones become SUPERSEDED). NOT_PINNED when the app is not pinned.' })
  async unpinApp(@Arg('app', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<{ app: App; deployed: Revision | null }> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Unpinning');
    const deployed = await ctx.services.revisions.unpin(app, ctx.actor);
    return { app, deployed };
  }

  @Mutation(() => AppType, { description: 'Changes settings; omitted ones stay as they are. updateAppSettings does the same and also returns the CONFIG revision a new port creates.' })
  async configureApp(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('input', () => AppSettingsInput) input: AppSettingsInput,
    @Ctx() ctx: KipperContext,
  ): Promise<App> {
    const app = await appFor(ctx, ref, ProjectRole.ADMIN, 'Changing the app settings');
    return (await ctx.services.appSettings.update(app, input, ctx.actor)).app;
  }

  @Mutation(() => RevisionType, { description: 'Copies the current image to the same app in the next environment (or `to`); returns the revision created there.' })
  async promoteApp(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('to', () => String, { nullable: true }) to: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<Revision> {
    const app = await appFor(ctx, ref, ProjectRole.VIEWER, 'Promoting');
    // Promotion deploys in the target environment: that is where the deployer role is needed.
    const env = (await ctx.loaders.environment.load(app.environmentId))!;
    const project = (await ctx.loaders.project.load(app.projectId))!;
    const target = to ? await ctx.services.projects.environment(project.name, to) : await ctx.services.projects.nextEnvironment(env);
    await requireInEnvironment(ctx, target ?? env, ProjectRole.DEPLOYER, 'Promoting', () => new KipperError(ErrorCode.APP_NOT_FOUND, `App ${ref.name} does not exist`));
    return ctx.services.revisions.promote(app, { to, actor: ctx.actor });
  }

  @Mutation(() => RevisionType, { description: 'Git apps: builds `commit` (default: the branch head) and deploys it.' })
  async rebuildApp(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('commit', () => String, { nullable: true }) commit: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<Revision> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Rebuilding');
    return ctx.services.revisions.requestBuild(app, { commit, trigger: RevisionTrigger.MANUAL, triggeredBy: ctx.actor });
  }

  @Mutation(() => Boolean, { description: 'Deletes the app\'s Kubernetes objects (its webhook Secret too) and its history.' })
  async deleteApp(@Arg('app', () => AppRefInput) ref: AppRefInput, @Ctx() ctx: KipperContext): Promise<boolean> {
    const app = await appFor(ctx, ref, ProjectRole.ADMIN, 'Deleting the app');
    await ctx.services.apps.delete(app, ctx.actor);
    return true;
  }

  @FieldResolver(() => ProjectType)
  async project(@Root() app: App, @Ctx() ctx: KipperContext): Promise<Project> {
    return (await ctx.loaders.project.load(app.projectId))!;
  }

  @FieldResolver(() => EnvironmentType)
  async environment(@Root() app: App, @Ctx() ctx: KipperContext): Promise<Environment> {
    return (await ctx.loaders.environment.load(app.environmentId))!;
  }

  @FieldResolver(() => RevisionType, { nullable: true, description: 'The revision Kubernetes runs (after its successful rollout).' })
  currentRevision(@Root() app: App, @Ctx() ctx: KipperContext): Promise<Revision | null> {
    return app.currentRevisionId ? ctx.loaders.revision.load(app.currentRevisionId) : Promise.resolve(null);
  }

  @FieldResolver(() => RevisionConnectionType)
  async revisions(
    @Root() app: App,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => Int, { nullable: true }) after: number | null,
    @Ctx() ctx: KipperContext,
  ): Promise<RevisionConnectionType> {
    const page = await ctx.services.revisions.list(app.id, { first, after });
    return { nodes: page.nodes, totalCount: page.totalCount, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @FieldResolver(() => RevisionType, { nullable: true })
  revision(@Root() app: App, @Arg('number', () => Int) number: number, @Ctx() ctx: KipperContext): Promise<Revision | null> {
    return ctx.services.revisions.byNumber(app.id, number);
  }

  @FieldResolver(() => [BuildType], { description: 'Newest first.' })
  builds(@Root() app: App, @Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: KipperContext): Promise<Build[]> {
    return ctx.services.builds.list(app.id, first);
  }
}
