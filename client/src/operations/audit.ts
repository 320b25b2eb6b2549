import type { ResultOf } from '../graphql.js';
import { graphql } from '../graphql.js';

export const AuditEntryFields = graphql(`
  fragment AuditEntryFields on AuditEntry @_unmask {
    id
    at
    actor
    actorKind
    action
    target
    details
    sourceAddress
    requestId
    project { name }
    app { name namespace }
  }
`);

export type AuditEntry = ResultOf<typeof AuditEntryFields>;

/** The audit log, newest first; `after` is the endCursor of the previous page. */
export const AuditLogQuery = graphql(
  `
  query AuditLog($project: String, $app: AppRef, $actor: String, $action: String, $since: DateTimeISO, $first: Int, $after: String) {
    auditLog(project: $project, app: $app, actor: $actor, action: $action, since: $since, first: $first, after: $after) {
      entries { ...AuditEntryFields }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [AuditEntryFields],
);

/** What the console's Activity page offers to filter by: the projects, and the apps of one. */
export const AuditFilterOptionsQuery = graphql(`
  query AuditFilterOptions($project: String) {
    projects { name }
    apps(project: $project) { name namespace environment { name } }
  }
`);
