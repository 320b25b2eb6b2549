// Every GraphQL operation of the console, in one place so that `gql.tada check` validates
// them against schema/schema.graphql (see scripts/check-graphql.mjs).
import { graphql, type ResultOf } from './graphql';

export const RevisionFields = graphql(`
  fragment RevisionFields on Revision @_unmask {
    id
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
    createdAt
    startedAt
    finishedAt
  }
`);

export const AppSummaryFields = graphql(
  `
  fragment AppSummaryFields on App @_unmask {
    id
    name
    namespace
    source
    image
    gitUrl
    gitBranch
    port
    replicas
    currentRevision { ...RevisionFields }
    revisions(first: 1) { nodes { ...RevisionFields } }
  }
`,
  [RevisionFields],
);

export const BuildFields = graphql(`
  fragment BuildFields on Build @_unmask {
    id
    number
    commit
    status
    image
    failureReason
    createdAt
    startedAt
    finishedAt
    revision { number }
  }
`);

export const WebhookSecretFields = graphql(`
  fragment WebhookSecretFields on WebhookSecret @_unmask {
    url
    token
    snippets { gitlabCi githubActions }
    webhook { enabled url createdAt rotatedAt }
  }
`);

/** Used by sign-in to check a token. */
export const ProjectsQuery = graphql(`
  query Projects {
    projects {
      id
      name
      displayName
      createdAt
      environments { id name apps { id } }
    }
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { id name }
  }
`);

export const ProjectQuery = graphql(
  `
  query Project($name: String!) {
    project(name: $name) {
      id
      name
      displayName
      environments {
        id
        name
        position
        namespace
        next { name }
        apps { ...AppSummaryFields }
      }
    }
  }
`,
  [AppSummaryFields],
);

export const ProjectEventsSubscription = graphql(
  `
  subscription ProjectEvents($project: String!) {
    projectEvents(project: $project) {
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

export const DeployAppMutation = graphql(`
  mutation DeployApp($input: DeployAppInput!) {
    deployApp(input: $input) { id name namespace }
  }
`);

export const PromoteAppMutation = graphql(
  `
  mutation PromoteApp($app: AppRef!, $to: String) {
    promoteApp(app: $app, to: $to) { ...RevisionFields app { name namespace } }
  }
`,
  [RevisionFields],
);

export const AppQuery = graphql(
  `
  query App($ref: AppRef!, $first: Int!) {
    app(ref: $ref) {
      ...AppSummaryFields
      project { name displayName }
      environment { name next { name } }
      dockerfilePath
      host
      createdAt
      history: revisions(first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { ...RevisionFields }
      }
      webhook { enabled url createdAt rotatedAt }
    }
  }
`,
  [AppSummaryFields, RevisionFields],
);

export const AppEventsSubscription = graphql(
  `
  subscription AppEvents($app: AppRef!) {
    appEvents(app: $app) {
      type
      at
      message
      revision { ...RevisionFields }
    }
  }
`,
  [RevisionFields],
);

export const RollbackMutation = graphql(
  `
  mutation RollbackApp($app: AppRef!, $revision: Int) {
    rollbackApp(app: $app, revision: $revision) { ...RevisionFields }
  }
`,
  [RevisionFields],
);

export const DeliveriesQuery = graphql(`
  query Deliveries($ref: AppRef!) {
    app(ref: $ref) {
      id
      webhook { enabled url createdAt rotatedAt }
      deliveries(first: 20) {
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

export const DisableWebhookMutation = graphql(`
  mutation DisableWebhook($app: AppRef!) {
    disableWebhook(app: $app) { enabled url createdAt rotatedAt }
  }
`);

export const BuildsQuery = graphql(
  `
  query Builds($ref: AppRef!) {
    app(ref: $ref) { id builds(first: 20) { ...BuildFields } }
  }
`,
  [BuildFields],
);

export const BuildLogQuery = graphql(
  `
  query BuildLog($id: ID!) {
    build(id: $id) { ...BuildFields log(tail: 500) }
  }
`,
  [BuildFields],
);

export const BuildLogSubscription = graphql(`
  subscription BuildLogLines($buildId: ID!) {
    buildLog(buildId: $buildId) { buildId line }
  }
`);

export const RebuildMutation = graphql(
  `
  mutation RebuildApp($app: AppRef!, $commit: String) {
    rebuildApp(app: $app, commit: $commit) { ...RevisionFields }
  }
`,
  [RevisionFields],
);

export type Revision = ResultOf<typeof RevisionFields>;
export type Build = ResultOf<typeof BuildFields>;
export type WebhookSecret = ResultOf<typeof WebhookSecretFields>;
export type AppSummary = ResultOf<typeof AppSummaryFields>;
export type ProjectData = NonNullable<ResultOf<typeof ProjectQuery>['project']>;
export type AppData = NonNullable<ResultOf<typeof AppQuery>['app']>;
export type Delivery = NonNullable<ResultOf<typeof DeliveriesQuery>['app']>['deliveries'][number];
export type DeployEvent = ResultOf<typeof AppEventsSubscription>['appEvents'];
export type RevisionStatus = Revision['status'];
