import { ErrorCode, KipperError, ProjectRole, type Project, type User } from '@kipper/core';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { projectFor } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { CreateUserInput, MeType, ProjectMemberType, UserType } from './people.types.js';
import { memberView, userView } from './people.views.js';

/** The person a credential stands for; a project token or Kipper itself cannot act for a person. */
export async function callerPerson(ctx: KipperContext, what: string): Promise<User> {
  const { principal } = ctx;
  const user = principal.userId && !principal.scope ? await ctx.services.users.byId(principal.userId) : null;
  if (!user) throw new KipperError(ErrorCode.FORBIDDEN, `${what} needs a person's credential (a session or a personal token); ${principal.actor} is not one`);
  return user;
}

/** People (instance admins), the caller's own password, and project members (project admins). */
@Resolver()
export class PeopleResolver {
  @Query(() => MeType)
  async me(@Ctx() ctx: KipperContext): Promise<MeType> {
    const { principal } = ctx;
    const user = principal.userId ? await ctx.services.users.byId(principal.userId) : null;
    let scope: string | null = null;
    if (principal.scope) {
      const project = await ctx.loaders.project.load(principal.scope.projectId);
      const env = principal.scope.environmentId ? await ctx.loaders.environment.load(principal.scope.environmentId) : null;
      scope = `${project?.name ?? '?'}${env ? `/${env.name}` : ''}`;
    }
    return { actor: principal.actor, user: user ? userView(user) : null, admin: principal.instanceAdmin, scope, role: principal.scope?.role ?? null };
  }

  @Query(() => [UserType], { description: 'Instance admins only.' })
  async users(@Ctx() ctx: KipperContext): Promise<UserType[]> {
    return (await ctx.services.users.list()).map(userView);
  }

  @Mutation(() => UserType, { description: 'Instance admins only. USER_EXISTS when the name is taken.' })
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: KipperContext): Promise<UserType> {
    return userView(await ctx.services.users.create({ name: input.name, displayName: input.displayName ?? null, password: input.password ?? null, admin: input.admin ?? false }, ctx.actor));
  }

  @Mutation(() => UserType, { description: 'Instance admins only: the person can no longer sign in; their sessions and tokens end at once.' })
  async disableUser(@Arg('name', () => String) name: string, @Ctx() ctx: KipperContext): Promise<UserType> {
    return userView(await ctx.services.users.disable(name, ctx.actor));
  }

  @Mutation(() => Boolean, {
    description: 'Your own password (give the current one), or, as an instance admin, anyone\'s (`name`, no current password). Ends the person\'s console sessions.',
  })
  async changePassword(
    @Arg('newPassword', () => String) newPassword: string,
    @Arg('currentPassword', () => String, { nullable: true }) currentPassword: string | null,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<boolean> {
    const me = await callerPerson(ctx, 'Changing a password');
    const reset = name !== null && name !== undefined && name !== me.name;
    if (reset) ctx.services.access.requireInstanceAdmin(ctx.principal, 'Setting another person\'s password');
    const user = reset ? await ctx.services.users.byNameOrFail(name!) : me;
    await ctx.services.users.changePassword(user, newPassword, { currentPassword: currentPassword ?? null, reset, actor: ctx.actor });
    return true;
  }

  @Query(() => [ProjectMemberType])
  async projectMembers(@Arg('project', () => String) project: string, @Ctx() ctx: KipperContext): Promise<ProjectMemberType[]> {
    const found = await projectFor(ctx, project, ProjectRole.VIEWER, 'Listing members');
    return (await ctx.services.members.list(found)).map(memberView);
  }

  @Mutation(() => ProjectMemberType, { description: 'Adds the person to the project, or changes their role.' })
  async addProjectMember(
    @Arg('project', () => String) project: string,
    @Arg('user', () => String) user: string,
    @Arg('role', () => ProjectRole) role: ProjectRole,
    @Ctx() ctx: KipperContext,
  ): Promise<ProjectMemberType> {
    const found: Project = await projectFor(ctx, project, ProjectRole.ADMIN, 'Managing members');
    const person = await ctx.services.users.byNameOrFail(user);
    return memberView(await ctx.services.members.add(found, person, role, ctx.actor));
  }

  @Mutation(() => ProjectMemberType, { description: 'Removes the person from the project; returns what was removed. MEMBER_NOT_FOUND when they are not a member.' })
  async removeProjectMember(@Arg('project', () => String) project: string, @Arg('user', () => String) user: string, @Ctx() ctx: KipperContext): Promise<ProjectMemberType> {
    const found = await projectFor(ctx, project, ProjectRole.ADMIN, 'Managing members');
    const person = await ctx.services.users.byNameOrFail(user);
    return memberView(await ctx.services.members.remove(found, person, ctx.actor));
  }
}
