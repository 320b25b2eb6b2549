import { ErrorCode, KipperError, ProjectRole, type App, type AppRef, type Environment, type Project } from '@kipper/core';
import type { KipperContext } from '../graphql/context.js';

/**
 * The checks resolvers make before acting (the access table says which each field needs).
 * A project the caller cannot see answers exactly as one that does not exist.
 */

function projectNotFound(name: string): KipperError {
  return new KipperError(ErrorCode.PROJECT_NOT_FOUND, `Project ${name} does not exist`);
}

/** The project, when the caller holds `role` in it (PROJECT_NOT_FOUND when they cannot see it). */
export async function projectFor(ctx: KipperContext, name: string, role: ProjectRole, what: string): Promise<Project> {
  const project = await ctx.services.projects.get(name);
  if (!project) throw projectNotFound(name);
  await ctx.services.access.require(ctx.principal, project.id, role, what, { notFound: () => projectNotFound(name) });
  return project;
}

/** The project, or null when it does not exist or the caller cannot see it. */
export async function visibleProject(ctx: KipperContext, name: string): Promise<Project | null> {
  const project = await ctx.services.projects.get(name);
  if (!project) return null;
  return (await ctx.services.access.projectRole(ctx.principal, project.id)) ? project : null;
}

/** The app, when the caller holds `role` in its project (and, for a scoped token, acts in its environment). */
export async function appFor(ctx: KipperContext, ref: AppRef, role: ProjectRole, what: string): Promise<App> {
  if (ref.project) await projectFor(ctx, ref.project, ProjectRole.VIEWER, what);
  const visible = await ctx.services.access.visibleProjectIds(ctx.principal);
  const app = await ctx.services.apps.resolve(ref, { visible });
  await ctx.services.access.require(ctx.principal, app.projectId, role, what, {
    environmentId: app.environmentId,
    notFound: () => new KipperError(ErrorCode.APP_NOT_FOUND, `App ${ref.name} does not exist`),
  });
  return app;
}

/** Like appFor with VIEWER, but null when the app does not exist or cannot be seen. */
export async function visibleApp(ctx: KipperContext, ref: AppRef): Promise<App | null> {
  try {
    return await appFor(ctx, ref, ProjectRole.VIEWER, 'Reading the app');
  } catch (err) {
    if (err instanceof KipperError && err.code === ErrorCode.APP_NOT_FOUND) return null;
    throw err;
  }
}

/** The caller holds `role` in the environment's project, acting in that environment. */
export async function requireInEnvironment(ctx: KipperContext, env: Environment, role: ProjectRole, what: string, notFound: () => KipperError): Promise<void> {
  await ctx.services.access.require(ctx.principal, env.projectId, role, what, { environmentId: env.id, notFound });
}

/** Keeps the rows of projects the caller can see. */
export async function onlyVisible<T>(ctx: KipperContext, rows: T[], projectIdOf: (row: T) => string | Promise<string | null>): Promise<T[]> {
  const visible = await ctx.services.access.visibleProjectIds(ctx.principal);
  if (visible === 'all') return rows;
  const ids = new Set(visible);
  const keep = await Promise.all(rows.map(async (row) => ids.has((await projectIdOf(row)) ?? '')));
  return rows.filter((_, i) => keep[i]);
}

export function requireInstanceAdmin(ctx: KipperContext, what: string): void {
  ctx.services.access.requireInstanceAdmin(ctx.principal, what);
}
