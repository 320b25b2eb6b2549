import { graphql, type ResultOf } from './graphql.js';

/**
 * The selections both the CLI and the console read. `@_unmask` makes a spread fragment's
 * fields part of the operation's result type.
 */

export const RevisionFields = graphql(`
  fragment RevisionFields on Revision @_unmask {
    number
    image
    imageTag
    digest
    commit
    trigger
    triggeredBy
    status
    current
    failureReason
    heldReason
    rollbackTo
    promotedFrom { namespace environment app revision }
    progress { updated ready desired available old }
    templateHash
    build { id number status }
    createdAt
    startedAt
    finishedAt
  }
`);
export type Revision = ResultOf<typeof RevisionFields>;
export type RevisionStatus = Revision['status'];

export const ProjectFields = graphql(`
  fragment ProjectFields on Project @_unmask {
    name
    displayName
    createdAt
    environments { name position namespace }
  }
`);
export type Project = ResultOf<typeof ProjectFields>;

/**
 * How Kipper deploys the app and what it knows of it beyond the history: its settings, the pin
 * of a rollback, and what the worker observed in the cluster (health, drift, a missing webhook Secret).
 */
export const AppStateFields = graphql(`
  fragment AppStateFields on App @_unmask {
    deployPolicy
    autoRollback
    driftPolicy
    health { status reason message since }
    pin { revision { number image } by at }
    drift { message detectedAt }
    webhookSecretMissing
  }
`);
export type AppState = ResultOf<typeof AppStateFields>;
export type AppHealth = NonNullable<AppState['health']>;
export type HealthStatus = AppHealth['status'];

export const AppSummaryFields = graphql(
  `
  fragment AppSummaryFields on App @_unmask {
    name
    namespace
    source
    image
    gitUrl
    gitBranch
    project { name }
    environment { name }
    ...AppStateFields
  }
`,
  [AppStateFields],
);
export type AppSummary = ResultOf<typeof AppSummaryFields>;

/** The summary plus how the app runs. */
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

/** An app on the console's project page: what runs and the newest revision. */
export const AppCardFields = graphql(
  `
  fragment AppCardFields on App @_unmask {
    id
    ...AppDetailFields
    currentRevision { ...RevisionFields }
    revisions(first: 1) { nodes { ...RevisionFields } }
  }
`,
  [AppDetailFields, RevisionFields],
);
export type AppCard = ResultOf<typeof AppCardFields>;

export const WebhookFields = graphql(`
  fragment WebhookFields on Webhook @_unmask { enabled url createdAt rotatedAt secretMissingSince }
`);

/** A CI identity the webhook trusts (keyless CI). */
export const WebhookTrustFields = graphql(`
  fragment WebhookTrustFields on WebhookTrust @_unmask { id issuer subject audience createdBy createdAt }
`);
export type WebhookTrust = ResultOf<typeof WebhookTrustFields>;

/** The token is only ever read through the operations that spread this (enable, show). */
export const WebhookSecretFields = graphql(
  `
  fragment WebhookSecretFields on WebhookSecret @_unmask {
    url
    token
    snippets { gitlabCi githubActions gitlabCiWait githubActionsWait }
    webhook { ...WebhookFields }
  }
`,
  [WebhookFields],
);
export type WebhookSecret = ResultOf<typeof WebhookSecretFields>;

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
    revision { number status failureReason }
  }
`);
export type Build = ResultOf<typeof BuildFields>;

export const NotificationDeliveryFields = graphql(`
  fragment NotificationDeliveryFields on NotificationDelivery @_unmask {
    id
    channelId
    deliveryId
    event
    attempt
    outcome
    statusCode
    error
    latencyMs
    responseExcerpt
    at
    revision { number }
  }
`);
export type NotificationDelivery = ResultOf<typeof NotificationDeliveryFields>;

export const NotificationChannelFields = graphql(`
  fragment NotificationChannelFields on NotificationChannel @_unmask {
    id
    kind
    url
    events
    enabled
    createdBy
    createdAt
    project { name }
    app { name namespace }
  }
`);
export type NotificationChannel = ResultOf<typeof NotificationChannelFields>;
export type NotificationEventType = NotificationChannel['events'][number];
