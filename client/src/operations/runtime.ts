import { graphql, type ResultOf } from '../graphql.js';

export const PodFields = graphql(`
  fragment PodFields on Pod @_unmask {
    name
    phase
    ready
    restarts
    reason
    startedAt
    createdAt
    image
    node
  }
`);
export type Pod = ResultOf<typeof PodFields>;

export const ClusterEventFields = graphql(`
  fragment ClusterEventFields on ClusterEvent @_unmask {
    type
    reason
    message
    kind
    name
    count
    firstSeen
    lastSeen
  }
`);
export type ClusterEvent = ResultOf<typeof ClusterEventFields>;

/** What runs of an app: its pods and the newest cluster events about them (`kip app pods`, `kip app events`, the console's Overview). */
export const AppRuntimeQuery = graphql(
  `
  query AppRuntime($app: AppRef!, $events: Int!) {
    app(ref: $app) {
      name
      namespace
      replicas
      health { status reason message since }
      pods { ...PodFields }
      events(first: $events) { ...ClusterEventFields }
    }
  }
`,
  [PodFields, ClusterEventFields],
);

/** The app's pods only. */
export const AppPodsQuery = graphql(
  `
  query AppPods($app: AppRef!) {
    app(ref: $app) {
      name
      namespace
      pods { ...PodFields }
    }
  }
`,
  [PodFields],
);

/** The newest cluster events about the app's Deployment, ReplicaSets and pods. */
export const AppClusterEventsQuery = graphql(
  `
  query AppClusterEvents($app: AppRef!, $first: Int!) {
    app(ref: $app) {
      name
      namespace
      events(first: $first) { ...ClusterEventFields }
    }
  }
`,
  [ClusterEventFields],
);

/** Log lines of the app's pods (or one): the last `tail` of each, then new ones while `follow`. Deployers only. */
export const PodLogsSubscription = graphql(`
  subscription PodLogs($app: AppRef!, $pod: String, $follow: Boolean, $tail: Int) {
    podLogs(app: $app, pod: $pod, follow: $follow, tail: $tail) { pod line at }
  }
`);
export type PodLogLine = ResultOf<typeof PodLogsSubscription>['podLogs'];
