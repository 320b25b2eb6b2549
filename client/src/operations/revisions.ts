import { RevisionFields } from '../fragments.js';
import { graphql } from '../graphql.js';

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
  mutation RollbackApp($app: AppRef!, $revision: Int, $pin: Boolean) {
    rollbackApp(app: $app, revision: $revision, pin: $pin) {
      ...RevisionFields
      app { name namespace }
    }
  }
`,
  [RevisionFields],
);

/** Stops the app's queued, building or rolling out revisions; a stopped rollout brings the last live image back. */
export const CancelRolloutMutation = graphql(
  `
  mutation CancelRollout($app: AppRef!) {
    cancelRollout(app: $app) {
      cancelled { ...RevisionFields }
      rollback { ...RevisionFields }
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

export const HistoryQuery = graphql(
  `
  query History($app: AppRef!, $first: Int!, $after: Int) {
    app(ref: $app) {
      name
      namespace
      pin { revision { number } by at }
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
