import { AppSummaryFields, WebhookFields, WebhookSecretFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

/** Whether the webhook is enabled, without its token. */
export const WebhookStateQuery = graphql(
  `
  query WebhookState($app: AppRef!) {
    app(ref: $app) {
      ...AppSummaryFields
      webhook { ...WebhookFields }
    }
  }
`,
  [AppSummaryFields, WebhookFields],
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
