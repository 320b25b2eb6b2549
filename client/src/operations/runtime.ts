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

/** kubectl's AGE: `45s`, `12m`, `3h`, `5d`; null when the time is unknown. */
export function kubeAge(since: string | null | undefined, nowMs: number): string | null {
  if (!since) return null;
  const seconds = Math.max(0, Math.floor((nowMs - Date.parse(since)) / 1000));
  if (!Number.isFinite(seconds)) return null;
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** What kubectl's STATUS column says: the container's reason when it does not run, else the phase. */
export const podStatus = (pod: Pick<Pod, 'phase' | 'reason'>): string => pod.reason ?? pod.phase;

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
