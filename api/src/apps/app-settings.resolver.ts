import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { podTemplateHash, ProjectRole, revisionDiff, type App, type Revision, type RevisionDiff, type SettingsResult } from '@kipper/core';
import { appFor } from '../access/access.guard.js';
import type { KipperContext } from '../graphql/context.js';
import { RevisionDiffType } from '../revisions/revision-diff.types.js';
import { RevisionType } from '../revisions/revision.types.js';
import { AppEnvInput, AppEnvVarType, AppSettingsResultType, RevisionSettingsType } from './app-settings.types.js';
import { AppRefInput, AppSettingsInput, AppType, envVarsOf, EnvVarType } from './app.types.js';

/** Deploy policy, auto rollback and drift policy decide how Kipper acts on its own: the project's admins choose them. */
function changesPolicies(input: AppSettingsInput): boolean {
  return input.deployPolicy != null || input.autoRollback != null || input.driftPolicy != null;
}

/** Changing a running app (settings, env, scale) and comparing its revisions. */
@Resolver(() => AppType)
export class AppSettingsResolver {
  @Mutation(() => AppSettingsResultType, {
    description:
      'Changes settings; omitted ones stay. A new port is a CONFIG revision (returned, rolled out like any deploy); replicas and host are applied to the cluster at once. Port, replicas and host need the deployer role, the policies admin.',
  })
  async updateAppSettings(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('input', () => AppSettingsInput) input: AppSettingsInput,
    @Ctx() ctx: KipperContext,
  ): Promise<SettingsResult> {
    const app = await appFor(ctx, ref, changesPolicies(input) ? ProjectRole.ADMIN : ProjectRole.DEPLOYER, 'Changing the app settings');
    return ctx.services.appSettings.update(app, input, ctx.actor);
  }

  @Mutation(() => AppSettingsResultType, {
    description: 'Sets and removes environment variables in one CONFIG revision (returned; null when nothing changed). Secret values go to a Kubernetes Secret, never to Kipper\'s database.',
  })
  async updateAppEnv(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('input', () => AppEnvInput) input: AppEnvInput,
    @Ctx() ctx: KipperContext,
  ): Promise<SettingsResult> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Changing environment variables');
    return ctx.services.appSettings.changeEnv(app, input, ctx.actor);
  }

  @Query(() => [AppEnvVarType], { description: 'The app\'s environment variables. Secret values only with `reveal` (deployer role; audited as app.env.reveal).' })
  async appEnv(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('reveal', () => Boolean, { defaultValue: false }) reveal: boolean,
    @Ctx() ctx: KipperContext,
  ): Promise<AppEnvVarType[]> {
    const app = await appFor(ctx, ref, reveal ? ProjectRole.DEPLOYER : ProjectRole.VIEWER, reveal ? 'Revealing secret variables' : 'Reading the app');
    return ctx.services.appSettings.env(app, { reveal, actor: ctx.actor });
  }

  @FieldResolver(() => [EnvVarType], { description: 'Secret variables without their values.' })
  env(@Root() app: App): EnvVarType[] {
    return envVarsOf(app.env);
  }

  @FieldResolver(() => RevisionDiffType, {
    description: 'What differs between revisions `from` and `to`. Defaults: `to` the current revision, `from` the newest live one before it. REVISION_NOT_FOUND when there is nothing to compare.',
  })
  revisionDiff(
    @Root() app: App,
    @Arg('from', () => Int, { nullable: true }) from: number | null,
    @Arg('to', () => Int, { nullable: true }) to: number | null,
    @Ctx() ctx: KipperContext,
  ): Promise<RevisionDiff> {
    return revisionDiff(ctx.services.dataSource, app, { from, to });
  }
}

@Resolver(() => RevisionType)
export class RevisionSettingsResolver {
  @FieldResolver(() => RevisionSettingsType, { nullable: true, description: 'The settings the revision was recorded with; null on revisions older than this record (unknown).' })
  settings(@Root() revision: Revision): RevisionSettingsType | null {
    const s = revision.settings;
    if (!s) return null;
    return { port: s.port, replicas: s.replicas, host: s.host, env: envVarsOf(s.env).map((e) => ({ ...e, value: e.secret ? null : e.value })) };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'A short hash of the pod template the revision ran (port and env): two revisions with the same hash run the same settings. Null on revisions older than settings snapshots.',
  })
  templateHash(@Root() revision: Revision): string | null {
    return revision.settings ? podTemplateHash(revision.settings) : null;
  }
}
