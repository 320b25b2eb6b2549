import { POD_NOT_FOUND_REASON, type AppPod, type Cluster, type ClusterEvent, type PodLogLine } from '@kipper/kube';
import type { App } from '../apps/app.entity.js';
import { fromClusterError, inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';

export type { AppPod, ClusterEvent, PodLogLine };

export const EVENTS_MAX = 100;
export const LOG_TAIL_MAX = 5000;
/** A pod name is a DNS subdomain (253 characters). */
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface FollowLogsInput {
  /** One pod of the app; default all of them. */
  pod?: string | null;
  follow: boolean;
  /** Lines from the end of each pod's log to start with. */
  tail: number;
  signal: AbortSignal;
  onLine: (line: PodLogLine) => void;
}

/**
 * What runs of an app, read from the cluster when asked (the database records what was asked
 * for; the cluster says what runs): its pods, the events about them, their logs.
 */
export class RuntimeService {
  constructor(private readonly deps: { cluster: Cluster }) {}

  pods(app: App): Promise<AppPod[]> {
    return inCluster(() => this.deps.cluster.listAppPods(app.namespace, app.name));
  }

  events(app: App, first: number): Promise<ClusterEvent[]> {
    if (!Number.isInteger(first) || first < 1 || first > EVENTS_MAX)
      throw new KipperError(ErrorCode.VALIDATION_FAILED, `first must be a whole number from 1 to ${EVENTS_MAX}, got ${first}`);
    return inCluster(() => this.deps.cluster.listAppEvents(app.namespace, app.name, first));
  }

  /** VALIDATION_FAILED unless 0 ≤ tail ≤ LOG_TAIL_MAX (a transport checks before it starts a stream). */
  checkTail(tail: number): void {
    if (!Number.isInteger(tail) || tail < 0 || tail > LOG_TAIL_MAX)
      throw new KipperError(ErrorCode.VALIDATION_FAILED, `tail must be a whole number from 0 to ${LOG_TAIL_MAX}, got ${tail}`);
  }

  /**
   * Streams log lines of the app's pods to `onLine` until `signal` aborts (or, without follow,
   * until the lines there are were sent). A name that is not one of the app's pods: POD_NOT_FOUND.
   */
  async followLogs(app: App, input: FollowLogsInput): Promise<void> {
    const { pod, tail } = input;
    this.checkTail(tail);
    const notFound = () => new KipperError(ErrorCode.POD_NOT_FOUND, `${app.name} has no pod ${pod} in ${app.namespace}; \`kip app pods ${app.name}\` lists them`);
    if (pod != null && !POD_NAME.test(pod)) throw notFound();
    try {
      await this.deps.cluster.followPodLogs(app.namespace, app.name, {
        ...(pod != null ? { pod } : {}),
        follow: input.follow,
        tail,
        signal: input.signal,
        onLine: input.onLine,
      });
    } catch (err) {
      if (isPodNotFound(err)) throw notFound();
      throw fromClusterError(err) ?? err;
    }
  }
}

/** The cluster module's answer for a name that is not one of the app's pods (recognised by shape, like fromClusterError). */
function isPodNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'ClusterError' && (err as Error & { reason?: unknown }).reason === POD_NOT_FOUND_REASON;
}
