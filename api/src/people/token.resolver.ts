import { ErrorCode, KipperError, ProjectRole, roleAtLeast } from '@kipper/core';
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { projectFor } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { callerPerson } from './people.resolver.js';
import { ApiTokenType, CreatedTokenType, CreateTokenInput } from './people.types.js';
import { tokenView } from './people.views.js';

/** API tokens: a person's own (instance admins: everyone's with `all`). The value is shown once. */
@Resolver()
export class TokenResolver {
  @Query(() => [ApiTokenType], { description: 'Your tokens, newest first (with `all`, an instance admin sees everyone\'s). Never the token itself.' })
  async tokens(@Arg('all', () => Boolean, { defaultValue: false }) all: boolean, @Ctx() ctx: KipperContext): Promise<ApiTokenType[]> {
    const me = await callerPerson(ctx, 'Listing tokens');
    if (all) ctx.services.access.requireInstanceAdmin(ctx.principal, 'Listing everyone\'s tokens');
    return (await ctx.services.tokens.list(all ? {} : { userId: me.id })).map(tokenView);
  }

  @Mutation(() => CreatedTokenType, { description: 'A personal token (acts as you), or with `project` a project token limited to it. TOKEN_EXISTS when you have one by that name.' })
  async createToken(@Arg('input', () => CreateTokenInput) input: CreateTokenInput, @Ctx() ctx: KipperContext): Promise<CreatedTokenType> {
    const me = await callerPerson(ctx, 'Creating a token');
    const role = input.role ?? (input.project ? ProjectRole.DEPLOYER : null);
    if (role === ProjectRole.ADMIN) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'A project token is a viewer or a deployer', { field: 'role' });
    const project = input.project ? await projectFor(ctx, input.project, role ?? ProjectRole.VIEWER, 'Creating a project token') : null;
    const environment = input.environment && project ? await ctx.services.projects.environment(project.name, input.environment) : null;
    if (input.environment && !project) throw new KipperError(ErrorCode.VALIDATION_FAILED, 'An environment scope needs a project', { field: 'environment' });
    if (project && role) {
      const held = await ctx.services.access.projectRole(ctx.principal, project.id);
      if (!held || !roleAtLeast(held, role)) throw new KipperError(ErrorCode.FORBIDDEN, `A ${role} token needs the ${role} role in ${project.name}`);
    }
    const { token, value } = await ctx.services.tokens.create({ name: input.name, owner: me, project, environment, role, expiresAt: input.expiresAt ?? null }, ctx.actor);
    return { token: tokenView({ ...token, user: me, project, environment }), value };
  }

  @Mutation(() => ApiTokenType, { description: 'Revokes your token of that name (an instance admin may give `owner`): refused at once, open subscriptions closed within seconds.' })
  async revokeToken(
    @Arg('name', () => String) name: string,
    @Arg('owner', () => String, { nullable: true }) owner: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<ApiTokenType> {
    const me = await callerPerson(ctx, 'Revoking a token');
    const other = owner !== null && owner !== undefined && owner !== me.name;
    if (other) ctx.services.access.requireInstanceAdmin(ctx.principal, 'Revoking another person\'s token');
    const person = other ? await ctx.services.users.byNameOrFail(owner!) : me;
    const token = await ctx.services.tokens.revoke(person, name, ctx.actor);
    const [listed] = (await ctx.services.tokens.list({ userId: person.id })).filter((t) => t.id === token.id);
    return tokenView(listed ?? token);
  }
}
