import { RevisionFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

export const ApprovalStateFields = graphql(`
  fragment ApprovalStateFields on ApprovalState @_unmask {
    required
    approved
    approvers
    decisions { actor decision comment createdAt }
  }
`);

export const PendingApprovalsQuery = graphql(
  `
  query PendingApprovals($project: String) {
    pendingApprovals(project: $project) {
      revision { ...RevisionFields }
      app { name namespace }
      environment { name }
      project { name }
      approval { ...ApprovalStateFields }
      canDecide
    }
  }
`,
  [RevisionFields, ApprovalStateFields],
);
export type PendingApproval = ResultOf<typeof PendingApprovalsQuery>['pendingApprovals'][number];

export const ApproveRevisionMutation = graphql(
  `
  mutation ApproveRevision($app: AppRef!, $revision: Int!, $comment: String) {
    approveRevision(app: $app, revision: $revision, comment: $comment) {
      revision { ...RevisionFields }
      approved
      required
    }
  }
`,
  [RevisionFields],
);

export const RejectRevisionMutation = graphql(
  `
  mutation RejectRevision($app: AppRef!, $revision: Int!, $comment: String) {
    rejectRevision(app: $app, revision: $revision, comment: $comment) {
      revision { ...RevisionFields }
      approved
      required
    }
  }
`,
  [RevisionFields],
);

export const ConfigureEnvironmentMutation = graphql(`
  mutation ConfigureEnvironment($project: String!, $environment: String!, $input: EnvironmentSettingsInput!) {
    configureEnvironment(project: $project, environment: $environment, input: $input) {
      name
      namespace
      requiredApprovals
      approvers
      protected
      frozenReason
      frozenBy
      frozenAt
    }
  }
`);

export const PromotionPreviewQuery = graphql(
  `
  query PromotionPreview($app: AppRef!, $to: String) {
    promotionPreview(app: $app, to: $to) {
      app
      project
      from
      to
      toProtected
      source { ...RevisionFields }
      target { ...RevisionFields }
      targetExists
      image
      imageTag
      commits { sha subject }
      commitsNote
      differences { setting source target }
      requiredApprovals
      approvers
      frozenReason
      blockedCode
      blocked
    }
  }
`,
  [RevisionFields],
);
export type PromotionPreview = ResultOf<typeof PromotionPreviewQuery>['promotionPreview'];

/** One app's revisions in every environment of its project, for `kip app history --all-environments`. */
export const PipelineHistoryQuery = graphql(
  `
  query PipelineHistory($project: String!, $name: String!, $first: Int!) {
    project(name: $project) {
      name
      environments { name position }
    }
    apps(project: $project, name: $name) {
      name
      namespace
      environment { name position }
      revisions(first: $first) { nodes { ...RevisionFields } }
    }
  }
`,
  [RevisionFields],
);

/** The settings of an app, for creating it in another environment "with the same settings" (the promote dialog). */
export const AppSettingsForCopyQuery = graphql(`
  query AppSettingsForCopy($app: AppRef!) {
    app(ref: $app) {
      name
      source
      image
      gitUrl
      gitBranch
      dockerfilePath
      port
      replicas
      env { name value secret }
      deployPolicy
      autoRollback
      watchGit
      driftPolicy
      currentRevision { image imageTag }
    }
  }
`);
