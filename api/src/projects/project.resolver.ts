import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { AppType } from '../apps/app.types.js';
import { type App, Environment, Project, ProjectRole } from '@kipper/core';
import { onlyVisible, projectFor, visibleProject } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { CreateProjectInput, EnvironmentType, ProjectType } from './project.types.js';

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Query(() => [ProjectType])
  async projects(@Ctx() ctx: KipperContext): Promise<Project[]> {
    return onlyVisible(ctx, await ctx.services.projects.list(), (project) => project.id);
  }

  @Query(() => ProjectType, { nullable: true })
  project(@Arg('name', () => String) name: string, @Ctx() ctx: KipperContext): Promise<Project | null> {
    return visibleProject(ctx, name);
  }

  @Mutation(() => ProjectType, { description: 'Creates the project, its environments and their namespaces `{project}-{environment}`.' })
  createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: KipperContext): Promise<Project> {
    // Instance admins only: checked by the access table before this runs.
    return ctx.services.projects.create(input, ctx.actor);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes the project: its apps\' Kubernetes objects, its namespaces and its records. The audit log keeps every entry about it. Admins of the project or of the instance.',
  })
  async deleteProject(@Arg('name', () => String) name: string, @Ctx() ctx: KipperContext): Promise<boolean> {
    const project = await projectFor(ctx, name, ProjectRole.ADMIN, 'Deleting the project');
    await ctx.services.projects.delete(project, ctx.actor);
    return true;
  }

  @FieldResolver(() => [EnvironmentType], { description: 'In pipeline order.' })
  environments(@Root() project: Project, @Ctx() ctx: KipperContext): Promise<Environment[]> {
    return ctx.loaders.environmentsOf.load(project.id);
  }
}

@Resolver(() => EnvironmentType)
export class EnvironmentResolver {
  @FieldResolver(() => ProjectType)
  async project(@Root() env: Environment, @Ctx() ctx: KipperContext): Promise<Project> {
    return (await ctx.loaders.project.load(env.projectId))!;
  }

  @FieldResolver(() => [AppType])
  apps(@Root() env: Environment, @Ctx() ctx: KipperContext): Promise<App[]> {
    return ctx.loaders.appsIn.load(env.id);
  }

  @FieldResolver(() => EnvironmentType, { nullable: true, description: 'The environment promotion goes to; null for the last.' })
  next(@Root() env: Environment, @Ctx() ctx: KipperContext): Promise<Environment | null> {
    return ctx.services.projects.nextEnvironment(env);
  }
}
