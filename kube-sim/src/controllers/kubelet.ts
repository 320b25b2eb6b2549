import { recordEvent } from '../events.js';
import { resourceByKind } from '../resources.js';
import type { Change } from '../store.js';
import type { KubeObject } from '../types.js';
import { safely, type Container, type ControllerContext } from './context.js';
import { containersOf } from './pods.js';

const PODS = resourceByKind('Pod');
const PULL_FAILURES = new Set(['ImagePullBackOff', 'ErrImagePull']);

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown };
}

/** What the kubelet last reported of a pod's first container, to tell what changed. */
interface Seen {
  pulled: boolean;
  pullFailed: boolean;
  running: boolean;
  restarts: number;
  /** Stops the app's periodic log lines. */
  stopLines?: () => void;
}

/** The requests an app pod pretends to serve, one per log line. */
const REQUESTS = ['GET / 200', 'GET /healthz 200', 'GET /api/items 200', 'POST /api/items 201'];

/**
 * Plays the kubelet's part that users look at: pod events (Scheduled, Pulling, Pulled, Created,
 * Started; Failed and BackOff for an image that cannot be pulled; BackOff for each restart of a
 * crashing container; Killing when the pod goes) and the log of app pods (pods of ReplicaSets): a
 * start line naming the image and port, then a request line every `appLogIntervalMs` while the
 * container runs. Build (Job) pods write their own log (JobController).
 */
export class KubeletController {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly ctx: ControllerContext) {}

  onChange(change: Change): void {
    if (change.resource !== PODS) return;
    const pod = change.object;
    const uid = pod.metadata.uid!;
    if (change.type === 'DELETED') {
      const seen = this.seen.get(uid);
      seen?.stopLines?.();
      this.seen.delete(uid);
      const container = containersOf(pod)[0];
      if (seen?.running && container)
        queueMicrotask(
          safely(() =>
            recordEvent(this.ctx.objects, pod, 'Normal', 'Killing', `Stopping container ${container.name}`, 'kubelet', `spec.containers{${container.name}}`),
          ),
        );
      return;
    }
    // After the change is out to watchers, as the kubelet reports after the API server stored it.
    queueMicrotask(safely(() => this.observe(pod.metadata.namespace!, pod.metadata.name!, uid)));
  }

  /** Pods restored from a state file: their log lines go on, their events are not told again. */
  resume(): void {
    for (const pod of this.ctx.objects.list(PODS, undefined)) {
      const status = firstStatus(pod);
      const running = Boolean(status?.state?.running);
      const seen: Seen = { pulled: running, pullFailed: false, running, restarts: status?.restartCount ?? 0 };
      this.seen.set(pod.metadata.uid!, seen);
      if (running) this.startLines(pod, seen, false);
    }
  }

  stopAll(): void {
    for (const seen of this.seen.values()) seen.stopLines?.();
    this.seen.clear();
  }

  private observe(namespace: string, name: string, uid: string): void {
    const pod = this.ctx.objects.find(PODS, namespace, name);
    if (!pod || pod.metadata.uid !== uid) return;
    const container = containersOf(pod)[0];
    if (!container) return;
    let seen = this.seen.get(uid);
    if (!seen) {
      seen = { pulled: false, pullFailed: false, running: false, restarts: 0 };
      this.seen.set(uid, seen);
      this.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to sim-node`, 'default-scheduler');
    }
    const status = firstStatus(pod);
    const waiting = status?.state?.waiting?.reason;
    const running = Boolean(status?.state?.running);
    const restarts = status?.restartCount ?? 0;
    const image = container.image ?? '';
    const field = `spec.containers{${container.name}}`;
    if (waiting && PULL_FAILURES.has(waiting) && !seen.pullFailed) {
      seen.pullFailed = true;
      this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet', field);
      this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found (simulated)`, 'kubelet', field);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet', field);
      this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet', field);
      this.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet', field);
    }
    if (running && !seen.running) {
      if (!seen.pulled) {
        this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet', field);
        this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in 1.2s (1.2s including waiting)`, 'kubelet', field);
        seen.pulled = true;
      }
      this.event(pod, 'Normal', 'Created', `Created container: ${container.name}`, 'kubelet', field);
      this.event(pod, 'Normal', 'Started', `Started container ${container.name}`, 'kubelet', field);
      this.startLines(pod, seen, true);
    }
    if (!running && seen.running) {
      seen.stopLines?.();
      seen.stopLines = undefined;
    }
    if (restarts > seen.restarts) {
      // The sim's crash loop restarts the container every crashAfterMs and it crashes again.
      this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, 'kubelet', field);
      this.event(pod, 'Normal', 'Created', `Created container: ${container.name}`, 'kubelet', field);
      this.event(pod, 'Normal', 'Started', `Started container ${container.name}`, 'kubelet', field);
      this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${name}_${namespace}(${uid})`, 'kubelet', field);
    }
    seen.running = running;
    seen.restarts = restarts;
  }

  /** App pods only: a start line, then one request line per interval until the container stops. */
  private startLines(pod: KubeObject, seen: Seen, announce: boolean): void {
    if (!pod.metadata.ownerReferences?.some((ref) => ref.kind === 'ReplicaSet') || seen.stopLines) return;
    const namespace = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const container = containersOf(pod)[0]!;
    if (announce) this.ctx.logs.append(namespace, name, startLine(container));
    let served = 0;
    seen.stopLines = this.ctx.scheduler.every(this.ctx.appLogIntervalMs, () => {
      const request = REQUESTS[served % REQUESTS.length]!;
      served++;
      this.ctx.logs.append(namespace, name, `${request} ${1 + (served % 7)}ms (request ${served})`);
    });
  }

  private event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, fieldPath?: string) {
    recordEvent(this.ctx.objects, pod, type, reason, message, component, fieldPath);
  }
}

function firstStatus(pod: KubeObject): ContainerStatus | undefined {
  const statuses = (pod.status?.containerStatuses ?? []) as ContainerStatus[];
  const first = containersOf(pod)[0];
  return statuses.find((s) => s.name === first?.name) ?? statuses[0];
}

/** The first line of an app pod's log, e.g. `Starting ghcr.io/org/api:1.2 on port 8080`. */
export function startLine(container: Container): string {
  const port = (container as Container & { ports?: { containerPort?: number }[] }).ports?.[0]?.containerPort;
  return `Starting ${container.image ?? container.name}${port ? ` on port ${port}` : ''}`;
}
