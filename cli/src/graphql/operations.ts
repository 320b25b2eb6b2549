import { graphql, type ResultOf } from './graphql.js';

/** Every operation the CLI sends. Typed against schema/schema.graphql through gql.tada. */

export const RevisionFields = graphql(`
  fragment RevisionFields on Revision @_unmask {
    number
    image
    commit
    trigger
    triggeredBy
    status
    current
    failureReason
    rollbackTo
    promotedFrom { namespace environment app revision }
    progress { updated ready desired }
    build { id number status }
    createdAt
    startedAt
    finishedAt
  }
`);
export type RevisionData = ResultOf<typeof RevisionFields>;

export const ProjectFields = graphql(`
  fragment ProjectFields on Project @_unmask {
    name
    displayName
    createdAt
    environments { name position namespace }
  }
`);
export type ProjectData = ResultOf<typeof ProjectFields>;

export const AppSummaryFields = graphql(`
  fragment AppSummaryFields on App @_unmask {
    name
    namespace
    source
    image
    gitUrl
    gitBranch
    project { name }
    environment { name }
  }
`);
export type AppSummaryData = ResultOf<typeof AppSummaryFields>;

/** The summary plus how the app runs: what `deploy` answers with and `status` shows. */
export const AppDetailFields = graphql(
  `
  fragment AppDetailFields on App @_unmask {
    ...AppSummaryFields
    port
    replicas
    host
  }
`,
  [AppSummaryFields],
);

export const WebhookFields = graphql(`
  fragment WebhookFields on Webhook @_unmask { enabled url createdAt rotatedAt }
`);

/** The secret is only ever read through these two operations (enable, show). */
export const WebhookSecretFields = graphql(
  `
  fragment WebhookSecretFields on WebhookSecret @_unmask {
    url
    token
    snippets { gitlabCi githubActions }
    webhook { ...WebhookFields }
  }
`,
  [WebhookFields],
);

export const VerifyTokenQuery = graphql(`
  query VerifyToken { projects { name } }
`);

export const CreateProjectMutation = graphql(
  `
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { ...ProjectFields }
  }
`,
  [ProjectFields],
);

export const ProjectsQuery = graphql(
  `
  query Projects { projects { ...ProjectFields } }
`,
  [ProjectFields],
);

export const AppsQuery = graphql(
  `
  query Apps($project: String, $environment: String) {
    apps(project: $project, environment: $environment) {
      ...AppSummaryFields
      currentRevision { ...RevisionFields }
    }
  }
`,
  [AppSummaryFields, RevisionFields],
);

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

export const UpdateImageMutation = graphql(
  `
  mutation UpdateImage($app: AppRef!, $image: String!, $commit: String) {
    updateImage(app: $app, image: $image, commit: $commit) {
      ...RevisionFields
      app { name namespace }
    }
  }
`,
  [RevisionFields],
);

export const RollbackMutation = graphql(
  `
  mutation RollbackApp($app: AppRef!, $revision: Int) {
    rollbackApp(app: $app, revision: $revision) {
      ...RevisionFields
      app { name namespace }
    }
  }
`,
  [RevisionFields],
);

export const PromoteMutation = graphql(
  `
  mutation PromoteApp($app: AppRef!, $to: String) {
    promoteApp(app: $app, to: $to) {
      ...RevisionFields
      app { name namespace environment { name } }
    }
  }
`,
  [RevisionFields],
);

export const RebuildMutation = graphql(
  `
  mutation RebuildApp($app: AppRef!, $commit: String) {
    rebuildApp(app: $app, commit: $commit) {
      ...RevisionFields
      app { name namespace gitUrl gitBranch }
    }
  }
`,
  [RevisionFields],
);

export const PromotionTargetQuery = graphql(
  `
  query PromotionTarget($app: AppRef!) {
    app(ref: $app) {
      name
      namespace
      project { name }
      environment { name next { name namespace } }
      currentRevision { ...RevisionFields }
    }
  }
`,
  [RevisionFields],
);

export const AppStatusQuery = graphql(
  `
  query AppStatus($app: AppRef!) {
    app(ref: $app) {
      ...AppDetailFields
      webhook { enabled url }
      currentRevision { ...RevisionFields }
      revisions(first: 10) { nodes { ...RevisionFields } }
    }
  }
`,
  [AppDetailFields, RevisionFields],
);

export const HistoryQuery = graphql(
  `
  query History($app: AppRef!, $first: Int!, $after: Int) {
    app(ref: $app) {
      name
      namespace
      revisions(first: $first, after: $after) {
        nodes { ...RevisionFields }
        pageInfo { hasNextPage endCursor }
        totalCount
      }
    }
  }
`,
  [RevisionFields],
);

export const RevisionQuery = graphql(
  `
  query Revision($app: AppRef!, $number: Int!) {
    app(ref: $app) { name namespace revision(number: $number) { ...RevisionFields } }
  }
`,
  [RevisionFields],
);

export const WebhookStateQuery = graphql(
  `
  query WebhookState($app: AppRef!) {
    app(ref: $app) {
      name
      namespace
      project { name }
      environment { name }
      webhook { ...WebhookFields }
    }
  }
`,
  [WebhookFields],
);

export const WebhookSecretQuery = graphql(
  `
  query WebhookSecret($app: AppRef!) {
    webhookSecret(app: $app) { ...WebhookSecretFields }
  }
`,
  [WebhookSecretFields],
);

export const EnableWebhookMutation = graphql(
  `
  mutation EnableWebhook($app: AppRef!) {
    enableWebhook(app: $app) { ...WebhookSecretFields }
  }
`,
  [WebhookSecretFields],
);

export const DisableWebhookMutation = graphql(
  `
  mutation DisableWebhook($app: AppRef!) {
    disableWebhook(app: $app) { ...WebhookFields }
  }
`,
  [WebhookFields],
);

export const DeliveriesQuery = graphql(`
  query Deliveries($app: AppRef!, $first: Int!) {
    app(ref: $app) {
      name
      namespace
      deliveries(first: $first) {
        id
        receivedAt
        source
        event
        outcome
        statusCode
        message
        revision { number }
      }
    }
  }
`);

export const BuildsQuery = graphql(`
  query Builds($app: AppRef!, $first: Int!, $tail: Int) {
    app(ref: $app) {
      name
      namespace
      source
      builds(first: $first) {
        id
        number
        commit
        status
        image
        failureReason
        createdAt
        finishedAt
        revision { number }
        log(tail: $tail)
      }
    }
  }
`);

export const BuildProgressQuery = graphql(`
  query BuildProgress($id: ID!, $from: Int!) {
    build(id: $id) { id number status failureReason image log(from: $from) }
  }
`);

export const AppEventsSubscription = graphql(
  `
  subscription AppEvents($app: AppRef!) {
    appEvents(app: $app) {
      type
      at
      namespace
      app
      message
      revision { ...RevisionFields }
    }
  }
`,
  [RevisionFields],
);

export const BuildLogSubscription = graphql(`
  subscription BuildLog($buildId: ID!) {
    buildLog(buildId: $buildId) { buildId line }
  }
`);
