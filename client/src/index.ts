// @kipper/client: Kipper's GraphQL API for the CLI and the console. One transport (HTTP and
// graphql-ws), the typed operations (gql.tada, checked against schema/), one error decoder.
export { createKipperClient, type KipperClient, type KipperClientOptions } from './client.js';
export { CSRF_HEADER, type FetchLike, type RequestOptions } from './http.js';
export { createSessionApi, type SessionApi, type ConsoleSession, type SessionUser, type SignInProviders } from './session.js';
export type { LiveOptions, Subscription, SubscriptionSink } from './live.js';
export {
  decodeGraphQLErrors,
  isApiErrorCode,
  KipperClientError,
  type ApiErrorCode,
  type ClientErrorCode,
  type SocketClose,
  type TransportErrorCode,
} from './errors.js';
export { validateOperations } from './validate.js';
export type { ResultOf, TadaDocumentNode, VariablesOf } from './graphql.js';
export * from './fragments.js';
export * from './operations/apps.js';
export * from './operations/builds.js';
export * from './operations/events.js';
export * from './operations/feedback.js';
export * from './operations/projects.js';
export * from './operations/revisions.js';
export * from './operations/webhooks.js';
export * from './operations/notifications.js';
export * from './operations/people.js';
export * from './operations/audit.js';
export * from './operations/settings.js';
export * from './operations/runtime.js';
export * from './operations/approvals.js';
