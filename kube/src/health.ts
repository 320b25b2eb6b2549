import { newReplicaSetOf, podsOf, type ContainerStatusLike, type PodLike, type ReplicaSetLike } from './replica-sets.js';
import { rolloutStatus, type DeploymentLike } from './rollout-status.js';
import type { AppHealth } from './types.js';

const OOM_KILLED = 'OOMKilled';
const CRASH_LOOP = 'CrashLoopBackOff';
const PULL_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
/**
 * Waiting reasons with which kubelet has given up on a container for now: it will not start
 * without a change (image, configuration) or at best keeps crashing. ContainerCreating and
 * PodInitializing are not among them: those pass by themselves.
 */
const STUCK_REASONS = new Set([
  CRASH_LOOP,
  ...PULL_REASONS,
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);
/** When as many pods fail for one reason as for another, the cause goes before its symptom. */
const PRECEDENCE = [OOM_KILLED, CRASH_LOOP, 'ErrImagePull', 'ImagePullBackOff'];

interface PodProblem {
  reason: string;
  detail: string | undefined;
  image: string | undefined;
  restarts: number;
}

const isReady = (pod: PodLike) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Why kubelet cannot run the pod, or null when it is ready or merely not there yet. */
function problemOf(pod: PodLike): PodProblem | null {
  if (isReady(pod)) return null;
  const statuses: ContainerStatusLike[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  const oom = statuses.find((s) => s.lastState?.terminated?.reason === OOM_KILLED || s.state?.terminated?.reason === OOM_KILLED);
  if (oom) return { reason: OOM_KILLED, detail: undefined, image: oom.image, restarts };
  const stuck = statuses.find((s) => STUCK_REASONS.has(s.state?.waiting?.reason ?? ''));
  if (!stuck) return null;
  return { reason: stuck.state!.waiting!.reason!, detail: stuck.state?.waiting?.message, image: stuck.image, restarts };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describe(problem: PodProblem, count: number, total: number, restarts: number): string {
  const pods = `${count}/${total} pod${total === 1 ? '' : 's'}`;
  if (problem.reason === CRASH_LOOP) return `${pods} crash-looping (${CRASH_LOOP}, ${plural(restarts, 'restart')})`;
  if (problem.reason === OOM_KILLED) return `${pods} running out of memory (${OOM_KILLED}, ${plural(restarts, 'restart')})`;
  if (PULL_REASONS.has(problem.reason)) {
    const image = problem.image ? ` "${problem.image}"` : '';
    return `${pods} cannot pull image${image} (${problem.reason})`;
  }
  const detail = problem.detail ? `: ${problem.detail.split('\n')[0]}` : '';
  return `${pods} cannot start (${problem.reason}${detail})`;
}

/** The most widespread problem among the pods (ties by PRECEDENCE), with how many pods have it. */
function worstProblem(pods: readonly PodLike[]): AppHealth | null {
  const byReason = new Map<string, PodProblem[]>();
  for (const problem of pods.map(problemOf)) {
    if (problem) byReason.set(problem.reason, [...(byReason.get(problem.reason) ?? []), problem]);
  }
  const rank = (reason: string) => {
    const index = PRECEDENCE.indexOf(reason);
    return index < 0 ? PRECEDENCE.length : index;
  };
  const [worst] = [...byReason.values()].sort((a, b) => b.length - a.length || rank(a[0]!.reason) - rank(b[0]!.reason));
  if (!worst) return null;
  const restarts = worst.reduce((n, p) => n + p.restarts, 0);
  return { status: 'Degraded', reason: worst[0]!.reason, message: describe(worst[0]!, worst.length, pods.length, restarts) };
}

export const missingHealth = (name: string): AppHealth => ({
  status: 'Missing',
  reason: null,
  message: `deployment "${name}" not found`,
});

/**
 * An app's health from its Deployment, its ReplicaSets and pods (the app's selector in its
 * namespace), as Argo CD judges a Deployment, with kubelet's verdict on the pods of the current
 * ReplicaSet first: 0 replicas or paused → Suspended; a pod of the current ReplicaSet crash-looping,
 * unable to pull its image or start, or not ready after an OOM kill → Degraded with that reason; the
 * progress deadline exceeded → Degraded; a rollout under way (decided like `kubectl rollout status`)
 * → Progressing; otherwise Healthy. Pods of older ReplicaSets never degrade the app: they are on
 * their way out.
 */
export function healthOf(deployment: DeploymentLike, replicaSets: readonly ReplicaSetLike[], pods: readonly PodLike[]): AppHealth {
  const name = deployment.metadata?.name ?? '';
  const desired = deployment.spec?.replicas ?? 1;
  if (desired === 0) return { status: 'Suspended', reason: null, message: `deployment "${name}" is scaled to 0 replicas` };
  if (deployment.spec?.paused) return { status: 'Suspended', reason: null, message: `deployment "${name}" is paused` };

  const current = newReplicaSetOf(deployment, replicaSets);
  const problem = current ? worstProblem(podsOf(current, pods)) : null;
  if (problem) return problem;

  // ProgressDeadlineExceeded is the one way a rollout fails.
  const rollout = rolloutStatus(deployment);
  if (rollout.state === 'failed') return { status: 'Degraded', reason: rollout.reason, message: rollout.message };
  if (rollout.state === 'waiting') return { status: 'Progressing', reason: null, message: rollout.message };
  const available = deployment.status?.availableReplicas ?? 0;
  return { status: 'Healthy', reason: null, message: `${available}/${desired} replicas available` };
}
