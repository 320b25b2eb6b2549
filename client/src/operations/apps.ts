import { AppCardFields, AppDetailFields, AppSummaryFields, RevisionFields, WebhookFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

export const AppsQuery = graphql(
  `
  query Apps($project: String, $environment: String) {
    apps(project: $project, environment: $environment) {
      ...AppSummaryFields
      environment { position }
      currentRevision { ...RevisionFields }
      revisions(first: 1) { nodes { ...RevisionFields } }
    }
  }
`,
  [AppSummaryFields, RevisionFields],
);

/** Creates the app; answers it with its first revision. */
export const DeployAppMutation = graphql(
  `
  mutation DeployApp($input: DeployAppInput!) {
    deployApp(input: $input) {
      ...AppDetailFields
      revisions(first: 1) { nodes { ...RevisionFields } }
    }
  }
`,
  [AppDetailFields, RevisionFields],
);

/** Removes a rollback's pin; answers the app and the held revision it deploys (if any). */
export const UnpinAppMutation = graphql(
  `
  mutation UnpinApp($app: AppRef!) {
    unpinApp(app: $app) {
      app { ...AppSummaryFields }
      deployed { ...RevisionFields }
    }
  }
`,
  [AppSummaryFields, RevisionFields],
);

/** Deploy policy, automatic rollback, drift policy of an existing app. */
export const ConfigureAppMutation = graphql(
  `
  mutation ConfigureApp($app: AppRef!, $input: AppSettingsInput!) {
    configureApp(app: $app, input: $input) { ...AppSummaryFields }
  }
`,
  [AppSummaryFields],
);

/** What `kip app status` shows: the app, what runs and the last ten revisions. */
export const AppStatusQuery = graphql(
  `
  query AppStatus($app: AppRef!) {
    app(ref: $app) {
      ...AppDetailFields
      webhook { enabled url secretMissingSince }
      currentRevision { ...RevisionFields }
      revisions(first: 10) { nodes { ...RevisionFields } }
    }
  }
`,
  [AppDetailFields, RevisionFields],
);

/** The console's app panel: the app, its pipeline neighbours, its history and webhook. */
export const AppQuery = graphql(
  `
  query App($app: AppRef!, $first: Int!) {
    app(ref: $app) {
      ...AppCardFields
      project { name displayName }
      environment { name next { name } }
      dockerfilePath
      createdAt
      history: revisions(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { ...RevisionFields }
      }
      webhook { ...WebhookFields }
    }
  }
`,
  [AppCardFields, RevisionFields, WebhookFields],
);
export type AppPanel = NonNullable<ResultOf<typeof AppQuery>['app']>;

/** Where a promotion goes: the app's environment and the next one. */
export const PromotionTargetQuery = graphql(
  `
  query PromotionTarget($app: AppRef!) {
    app(ref: $app) {
      ...AppSummaryFields
      environment { next { name namespace } }
      currentRevision { ...RevisionFields }
    }
  }
`,
  [AppSummaryFields, RevisionFields],
);
