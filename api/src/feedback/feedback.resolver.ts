import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import { ProjectRole, type App, type FeedbackConnection, type FeedbackReport, type Revision } from '@kipper/core';
import { appFor } from '../access/access.guard.js';
import { AppRefInput, AppType } from '../apps/app.types.js';
import type { KipperContext } from '../graphql/context.js';
import { FeedbackProvider } from '../graphql/enums.js';
import { RevisionType } from '../revisions/revision.types.js';
import { ConnectFeedbackInput, FeedbackConnectionType, FeedbackReportType, FeedbackTokenSecretType } from './feedback.types.js';

/** GraphQL over FeedbackService; no logic of its own. */
@Resolver(() => FeedbackConnectionType)
export class FeedbackResolver {
  @Mutation(() => FeedbackConnectionType, {
    description: 'Connects the app to a GitHub repository or GitLab project (replacing its connection to that provider). The token Secret must exist in the app\'s namespace.',
  })
  async connectFeedback(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('input', () => ConnectFeedbackInput) input: ConnectFeedbackInput,
    @Ctx() ctx: KipperContext,
  ): Promise<FeedbackConnection> {
    const app = await appFor(ctx, ref, ProjectRole.ADMIN, 'Connecting feedback');
    return ctx.services.feedback.connect(app, { provider: input.provider, repository: input.repository, apiUrl: input.apiUrl ?? null, tokenSecret: { name: input.tokenSecret.name, key: input.tokenSecret.key ?? null } }, ctx.actor);
  }

  @Mutation(() => FeedbackConnectionType, { description: 'Stops reporting to the provider; returns the connection removed. FEEDBACK_NOT_CONNECTED when there is none.' })
  async disconnectFeedback(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('provider', () => FeedbackProvider) provider: FeedbackProvider,
    @Ctx() ctx: KipperContext,
  ): Promise<FeedbackConnection> {
    const app = await appFor(ctx, ref, ProjectRole.ADMIN, 'Disconnecting feedback');
    return ctx.services.feedback.disconnect(app, provider, ctx.actor);
  }

  @FieldResolver(() => FeedbackTokenSecretType)
  tokenSecret(@Root() connection: FeedbackConnection): FeedbackTokenSecretType {
    return { name: connection.secretName, key: connection.secretKey };
  }

  @FieldResolver(() => [FeedbackReportType], { description: 'The revisions reported last, newest first.' })
  lastReports(@Root() connection: FeedbackConnection, @Arg('first', () => Int, { defaultValue: 5 }) first: number, @Ctx() ctx: KipperContext): Promise<FeedbackReport[]> {
    return ctx.services.feedback.reports(connection.id, first);
  }
}

@Resolver(() => FeedbackReportType)
export class FeedbackReportResolver {
  @FieldResolver(() => RevisionType)
  async revision(@Root() report: FeedbackReport, @Ctx() ctx: KipperContext): Promise<Revision> {
    const revision = await ctx.loaders.revision.load(report.revisionId);
    if (!revision) throw new Error(`revision ${report.revisionId} of a report is gone`);
    return revision;
  }
}

@Resolver(() => AppType)
export class AppFeedbackResolver {
  @FieldResolver(() => [FeedbackConnectionType], { description: 'Where the app\'s deploys are reported (GitHub, GitLab).' })
  feedback(@Root() app: App, @Ctx() ctx: KipperContext): Promise<FeedbackConnection[]> {
    return ctx.loaders.feedbackOf.load(app.id);
  }
}
