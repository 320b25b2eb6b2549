import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { type AppRef, ErrorCode, KipperError, ProjectRole, type Revision, topics, type BuildLogPayload, type DeployEventPayload } from '@kipper/core';
import { AppRefInput, healthOf } from '../apps/app.types.js';
import { BuildLogLineType } from '../builds/build.types.js';
import { appFor, projectFor } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { RevisionType } from '../revisions/revision.types.js';
import { DeployEventObject } from './deploy-event.types.js';
import { loadersForEvent } from './event-loaders.js';

type Data = SubscribeResolverData<unknown, Record<string, unknown>, KipperContext>;

function toEvent(payload: DeployEventPayload, ctx: KipperContext): DeployEventObject {
  // A subscription keeps one context for all its events: fresh caches per event, so that
  // `revision { status current }` is read as it is now, not as it was at the first event;
  // the caches of one event are shared by all its subscribers, so it is read once, not once each.
  ctx.loaders = loadersForEvent(payload, ctx.services);
  return {
    type: payload.type,
    at: new Date(payload.at),
    namespace: payload.namespace,
    app: payload.app,
    message: payload.message,
    health: healthOf(payload.health),
    revisionId: payload.revisionId,
  };
}

/**
 * Live events over Redis pub/sub (any api process serves any subscription). The app or project
 * is resolved when the subscription starts, so a wrong name fails at once with its code.
 */
@Resolver(() => DeployEventObject)
export class EventResolver {
  @Subscription(() => DeployEventObject, {
    description:
      'Events of one app: its revisions (queued, held, building, rolling out with progress, live, failed, superseded, cancelled), its pin, and what the worker observes in the cluster (health, drift, repairs, a missing webhook Secret).',
    subscribe: async ({ args, context }: Data) => {
      const app = await appFor(context, args.app as AppRef, ProjectRole.VIEWER, 'Following the app');
      return context.services.pubsub.subscribe(topics.app(app.id));
    },
  })
  appEvents(@Arg('app', () => AppRefInput) _app: AppRefInput, @Root() payload: DeployEventPayload, @Ctx() ctx: KipperContext): DeployEventObject {
    return toEvent(payload, ctx);
  }

  @Subscription(() => DeployEventObject, {
    description: 'The same events for every app of a project.',
    subscribe: async ({ args, context }: Data) => {
      const project = await projectFor(context, String(args.project), ProjectRole.VIEWER, 'Following the project');
      return context.services.pubsub.subscribe(topics.project(project.id));
    },
  })
  projectEvents(@Arg('project', () => String) _project: string, @Root() payload: DeployEventPayload, @Ctx() ctx: KipperContext): DeployEventObject {
    return toEvent(payload, ctx);
  }

  @Subscription(() => BuildLogLineType, {
    description: 'Lines of a build\'s output as they are written (earlier lines: Build.log).',
    subscribe: async ({ args, context }: Data) => {
      const build = await context.services.builds.byId(String(args.buildId));
      const notFound = () => new KipperError(ErrorCode.BUILD_NOT_FOUND, `Build ${String(args.buildId)} does not exist`);
      const app = build ? await context.services.apps.byId(build.appId) : null;
      if (!build || !app) throw notFound();
      await context.services.access.require(context.principal, app.projectId, ProjectRole.VIEWER, 'Following the build', { notFound });
      return context.services.pubsub.subscribe(topics.buildLog(build.id));
    },
  })
  buildLog(@Arg('buildId', () => ID) _buildId: string, @Root() payload: BuildLogPayload): BuildLogLineType {
    return { buildId: payload.buildId, line: payload.line };
  }

  @FieldResolver(() => RevisionType)
  async revision(@Root() event: DeployEventObject, @Ctx() ctx: KipperContext): Promise<Revision> {
    const revision = await ctx.loaders.revision.load(event.revisionId);
    if (!revision) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `Revision #${event.revisionId} no longer exists (its app was deleted)`);
    return revision;
  }
}
