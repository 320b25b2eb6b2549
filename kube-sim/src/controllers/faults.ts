import { resourceByKind } from '../resources.js';
import type { Change } from '../store.js';
import { now, type KubeObject } from '../types.js';
import { matchesFailPattern, type Container, type ControllerContext } from './context.js';
import { containersOf, podStatus, type PodState, type Restarts } from './pods.js';

const PODS = resourceByKind('Pod');

/** How the pods of a template misbehave; several can hold (a slow start, then crashes). */
export interface PodFaults {
  /** The image cannot be pulled: never ready (ImagePullBackOff). */
  failing: boolean;
  /** Readiness comes only after slowReadyMs. */
  slow: boolean;
  /** Ready for crashAfterMs, then crash-looping with this termination reason. */
  crash: Restarts['lastTermination']['reason'] | null;
}

export function faultsOf(containers: Container[], ctx: Pick<ControllerContext, 'failPattern' | 'faults'>): PodFaults {
  const matches = (pattern: RegExp) => matchesFailPattern(containers, pattern, false);
  const { faults } = ctx;
  return {
    failing: matches(ctx.failPattern),
    slow: matches(faults.slowPattern),
    crash: matches(faults.oomPattern) ? 'OOMKilled' : matches(faults.crashPattern) ? 'Error' : null,
  };
}

/** The state a new pod is created in; FaultController moves it on from there. */
export function initialPodState(faults: PodFaults): PodState {
  if (faults.failing) return 'not-ready';
  return faults.slow ? 'creating' : 'running';
}

const MIN_RESTART_MS = 50;
const EXIT_CODES: Record<Restarts['lastTermination']['reason'], number> = { Error: 1, OOMKilled: 137 };

/**
 * Plays kubelet for deployment pods with a slow or crashing image: one pending timer per pod moves
 * it through its states (creating → starting → ready, ready → crash-looping with a restart every
 * crashAfterMs). The ReplicaSet and Deployment follow through the deployment controller, which
 * watches pod status like the real one. A deleted pod's timer is cancelled; close() stops all.
 */
export class FaultController {
  private readonly timers = new Map<string, () => void>();

  constructor(private readonly ctx: ControllerContext) {}

  onChange(change: Change): void {
    if (change.resource !== PODS) return;
    const pod = change.object;
    const uid = pod.metadata.uid!;
    if (change.type === 'DELETED') {
      this.timers.get(uid)?.();
      this.timers.delete(uid);
      return;
    }
    if (change.type !== 'ADDED' || !pod.metadata.ownerReferences?.some((ref) => ref.kind === 'ReplicaSet')) return;
    const faults = faultsOf(containersOf(pod), this.ctx);
    if (faults.failing) return;
    if (faults.slow) this.slowStart(pod, faults);
    else if (faults.crash) this.scheduleCrash(pod, faults.crash, 0);
  }

  private slowStart(pod: KubeObject, faults: PodFaults) {
    const { slowReadyMs } = this.ctx.faults;
    // Half the time pulling the image, half running while the readiness probe fails.
    this.schedule(pod, slowReadyMs / 2, () => {
      this.write(pod, 'starting');
      this.schedule(pod, slowReadyMs / 2, () => {
        this.write(pod, 'running');
        if (faults.crash) this.scheduleCrash(pod, faults.crash, 0);
      });
    });
  }

  private scheduleCrash(pod: KubeObject, reason: Restarts['lastTermination']['reason'], restarts: number) {
    const startedAt = now();
    // A floor on the restart period keeps a crashAfterMs of 0 from turning into a busy loop.
    const after = restarts === 0 ? this.ctx.faults.crashAfterMs : Math.max(this.ctx.faults.crashAfterMs, MIN_RESTART_MS);
    this.schedule(pod, after, () => {
      const count = restarts + 1;
      this.write(pod, 'crash-looping', {
        count,
        lastTermination: { reason, exitCode: EXIT_CODES[reason], startedAt, finishedAt: now() },
      });
      this.ctx.logs.append(
        pod.metadata.namespace!,
        pod.metadata.name!,
        `[kube-sim] container exited with code ${EXIT_CODES[reason]} (${reason}, simulated); restart ${count}`,
      );
      this.scheduleCrash(pod, reason, count);
    });
  }

  private schedule(pod: KubeObject, ms: number, fn: () => void) {
    const uid = pod.metadata.uid!;
    this.timers.get(uid)?.();
    const cancel = this.ctx.scheduler.after(ms, () => {
      this.timers.delete(uid);
      if (this.current(pod)) fn();
    });
    this.timers.set(uid, cancel);
  }

  private current(pod: KubeObject): KubeObject | undefined {
    const found = this.ctx.objects.find(PODS, pod.metadata.namespace, pod.metadata.name!);
    return found?.metadata.uid === pod.metadata.uid ? found : undefined;
  }

  private write(pod: KubeObject, state: PodState, restarts?: Restarts) {
    const current = this.current(pod);
    if (current) this.ctx.objects.writeStatus(PODS, { ...current, status: podStatus(current, state, restarts) });
  }
}
