import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { ErrorCode, KipperError, type App, type AuditEntry, type Project } from '@kipper/core';
import { AppRefInput, AppType } from '../apps/app.types.js';
import type { KipperContext } from '../graphql/context.js';
import { ProjectType } from '../projects/project.types.js';
import { AuditEntryType, AuditPageType } from './audit.types.js';

/** The projects whose entries the caller may read: 'all' for instance admins. */
export function auditVisibility(ctx: KipperContext): Promise<readonly string[] | 'all'> {
  return ctx.services.access.visibleProjectIds(ctx.principal);
}

/** GraphQL over AuditService.query; filters by names are turned into ids here. */
@Resolver(() => AuditEntryType)
export class AuditResolver {
  @Query(() => AuditPageType, {
    description:
      'The audit log, newest first. `action` is exact (`app.configure`) or a prefix ending with `.` or `*` (`revision.`); `first` defaults to 50 (at most 500). Entries of projects you cannot see are left out; entries about no project (people, tokens) are for instance admins.',
  })
  async auditLog(
    @Arg('project', () => String, { nullable: true }) project: string | null,
    @Arg('app', () => AppRefInput, { nullable: true }) ref: AppRefInput | null,
    @Arg('actor', () => String, { nullable: true }) actor: string | null,
    @Arg('action', () => String, { nullable: true }) action: string | null,
    @Arg('since', () => Date, { nullable: true }) since: Date | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<AuditPageType> {
    const visibleProjectIds = await auditVisibility(ctx);
    const projectId = project ? (await ctx.services.projects.getOrFail(project)).id : null;
    const app = ref ? await ctx.services.apps.resolve({ ...ref, project: ref.project ?? project }) : null;
    // A project the caller cannot see is not found, as everywhere else.
    if (visibleProjectIds !== 'all') {
      if (projectId && !visibleProjectIds.includes(projectId)) throw new KipperError(ErrorCode.PROJECT_NOT_FOUND, `Project ${project} does not exist`);
      if (app && !visibleProjectIds.includes(app.projectId)) throw new KipperError(ErrorCode.APP_NOT_FOUND, `App ${app.name} does not exist`);
    }
    const appId = app?.id ?? null;
    const page = await ctx.services.audit.query({ projectId, appId, actor, action, since, first, after, visibleProjectIds });
    return { entries: page.entries, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @FieldResolver(() => String, { description: 'What changed, as a JSON object (`before` and `after` where a setting changed).' })
  details(@Root() entry: AuditEntry): string {
    return JSON.stringify(entry.details);
  }

  @FieldResolver(() => ProjectType, { nullable: true, description: 'Null for entries about no project, and once the project is deleted.' })
  async project(@Root() entry: AuditEntry, @Ctx() ctx: KipperContext): Promise<Project | null> {
    return entry.projectId ? ctx.loaders.project.load(entry.projectId) : null;
  }

  @FieldResolver(() => AppType, { nullable: true, description: 'Null for entries about no app, and once the app is deleted (`target` still names it).' })
  async app(@Root() entry: AuditEntry, @Ctx() ctx: KipperContext): Promise<App | null> {
    return entry.appId ? ctx.loaders.app.load(entry.appId) : null;
  }
}
