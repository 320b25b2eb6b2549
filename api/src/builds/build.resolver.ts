import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { KipperContext } from '../graphql/context.js';
import { type Revision, type Build, BuildService } from '@kipper/core';
import { RevisionType } from '../revisions/revision.types.js';
import { BuildType } from './build.types.js';

@Resolver(() => BuildType)
export class BuildResolver {
  @Query(() => BuildType, { nullable: true })
  async build(@Arg('id', () => ID) id: string, @Ctx() ctx: KipperContext): Promise<Build | null> {
    const build = await ctx.services.builds.byId(id);
    const app = build ? await ctx.loaders.app.load(build.appId) : null;
    // A build of a project the caller cannot see is null, as for one that does not exist.
    return app && (await ctx.services.access.projectRole(ctx.principal, app.projectId)) ? build : null;
  }

  @FieldResolver(() => RevisionType, { nullable: true })
  revision(@Root() build: Build, @Ctx() ctx: KipperContext): Promise<Revision | null> {
    return build.revisionId ? ctx.loaders.revision.load(build.revisionId) : Promise.resolve(null);
  }

  @FieldResolver(() => [String], { description: 'The build\'s output; the last `tail` lines when given; from line index `from` on when given (to follow a running build).' })
  log(
    @Root() build: Build,
    @Arg('tail', () => Int, { nullable: true }) tail: number | null,
    @Arg('from', () => Int, { nullable: true }) from: number | null,
  ): string[] {
    return BuildService.logLines(build, tail, from);
  }
}
