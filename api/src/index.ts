// @kipper/api: Kipper's transports (GraphQL over HTTP and WebSocket, the REST webhook shim, the
// console's static files) in one HTTP server over the domain of @kipper/core.
export { createKipper, MAX_GRAPHQL_BYTES, type Kipper, type KipperOptions, type RunningAddress } from './server/kipper.js';
export { printKipperSchema } from './graphql/schema.js';
export { startBuiltInClusterWhenNeeded, type ClusterForConfig } from './server/built-in-cluster.js';
