import { graphql, type ResultOf } from '../graphql.js';

/** A GitHub / GitLab connection as `kip app feedback` and the console show it. */
export const FeedbackConnectionFields = graphql(`
  fragment FeedbackConnectionFields on FeedbackConnection @_unmask {
    id
    provider
    repository
    apiUrl
    tokenSecret { name key }
    createdBy
    createdAt
    updatedAt
  }
`);
export type FeedbackConnectionView = ResultOf<typeof FeedbackConnectionFields>;

/** The app's connections and what each reported last. */
export const FeedbackQuery = graphql(
  `
  query Feedback($app: AppRef!, $reports: Int!) {
    app(ref: $app) {
      name
      namespace
      environment { name }
      feedback {
        ...FeedbackConnectionFields
        lastReports(first: $reports) {
          stage
          description
          sha
          reportedAt
          lastError
          updatedAt
          revision { number status commit }
        }
      }
    }
  }
`,
  [FeedbackConnectionFields],
);
export type FeedbackListing = NonNullable<ResultOf<typeof FeedbackQuery>['app']>['feedback'][number];

export const ConnectFeedbackMutation = graphql(
  `
  mutation ConnectFeedback($app: AppRef!, $input: ConnectFeedbackInput!) {
    connectFeedback(app: $app, input: $input) { ...FeedbackConnectionFields }
  }
`,
  [FeedbackConnectionFields],
);

export const DisconnectFeedbackMutation = graphql(
  `
  mutation DisconnectFeedback($app: AppRef!, $provider: FeedbackProvider!) {
    disconnectFeedback(app: $app, provider: $provider) { ...FeedbackConnectionFields }
  }
`,
  [FeedbackConnectionFields],
);
