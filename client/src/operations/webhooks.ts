import { AppSummaryFields, WebhookFields, WebhookSecretFields, WebhookTrustFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

/** Whether the webhook is enabled (without its token), and the CI identities it trusts. */
export const WebhookStateQuery = graphql(
  `
  query WebhookState($app: AppRef!) {
    app(ref: $app) {
      ...AppSummaryFields
      webhook {
        ...WebhookFields
        trusts { ...WebhookTrustFields }
      }
    }
  }
`,
  [AppSummaryFields, WebhookFields, WebhookTrustFields],
);

/** The keyless CI snippets (no token involved) and the trusts they need. */
export const KeylessSnippetsQuery = graphql(
  `
  query KeylessSnippets($app: AppRef!, $audience: String!) {
    app(ref: $app) {
      ...AppSummaryFields
      webhook {
        url
        trusts { ...WebhookTrustFields }
        keylessSnippets(audience: $audience) { gitlabCi githubActions gitlabCiWait githubActionsWait }
      }
    }
  }
`,
  [AppSummaryFields, WebhookTrustFields],
);

export const TrustWebhookIssuerMutation = graphql(
  `
  mutation TrustWebhookIssuer($app: AppRef!, $issuer: String!, $subject: String!, $audience: String) {
    trustWebhookIssuer(app: $app, issuer: $issuer, subject: $subject, audience: $audience) { ...WebhookTrustFields }
  }
`,
  [WebhookTrustFields],
);

export const UntrustWebhookIssuerMutation = graphql(
  `
  mutation UntrustWebhookIssuer($app: AppRef!, $id: ID, $issuer: String, $subject: String, $audience: String) {
    untrustWebhookIssuer(app: $app, id: $id, issuer: $issuer, subject: $subject, audience: $audience) { ...WebhookTrustFields }
  }
`,
  [WebhookTrustFields],
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

/** Recent webhook deliveries, newest first, and the webhook they were sent to. */
export const DeliveriesQuery = graphql(
  `
  query Deliveries($app: AppRef!, $first: Int!) {
    app(ref: $app) {
      name
      namespace
      webhook { ...WebhookFields }
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
`,
  [WebhookFields],
);
export type Delivery = NonNullable<ResultOf<typeof DeliveriesQuery>['app']>['deliveries'][number];
