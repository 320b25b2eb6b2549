import { clone, isObject, now, type JsonObject, type KubeObject, type OwnerReference } from '../types.js';
import type { Container } from './context.js';
import { imageIdOf } from '../registry.js';

/**
 * `not-ready`: the image cannot be pulled; `starting`: the container runs but its readiness probe
 * does not pass yet; `crash-looping`: the container keeps exiting and kubelet backs off restarting it.
 */
export type PodState = 'creating' | 'starting' | 'running' | 'not-ready' | 'crash-looping' | 'succeeded' | 'failed';

/** What kubelet remembers of a container that exited and was restarted. */
export interface Restarts {
  count: number;
  lastTermination: { reason: 'Error' | 'OOMKilled'; exitCode: number; startedAt: string; finishedAt: string };
}

let podIp = 10;

export function ownerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function containersOf(template: unknown): Container[] {
  const spec = isObject(template) && isObject(template.spec) ? template.spec : {};
  return Array.isArray(spec.containers) ? (spec.containers as Container[]) : [];
}

/** A pod body for the template, its status already set as the kubelet would report it. */
export function podFor(owner: KubeObject, template: JsonObject, name: string, state: PodState): JsonObject {
  const meta = isObject(template.metadata) ? template.metadata : {};
  const spec = clone(isObject(template.spec) ? template.spec : {});
  spec.nodeName = 'sim-node';
  const ip = `10.244.0.${(podIp++ % 250) + 2}`;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: clone((meta.labels as Record<string, string> | undefined) ?? {}),
      ...(isObject(meta.annotations) ? { annotations: clone(meta.annotations as Record<string, string>) } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec,
    status: { hostIP: '192.168.49.2', podIP: ip, podIPs: [{ ip }] },
  };
  return { ...pod, status: podStatus(pod, state) };
}

function condition(type: string, ok: boolean, time: string, reason?: string) {
  return { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: time, ...(reason ? { reason } : {}) };
}

const PHASES: Record<PodState, string> = {
  creating: 'Pending',
  'not-ready': 'Pending',
  starting: 'Running',
  running: 'Running',
  'crash-looping': 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

/** Kubelet-shaped status for a pod in one of the simulated states. */
export function podStatus(pod: KubeObject, state: PodState, restarts?: Restarts): JsonObject {
  const time = now();
  const previous = pod.status ?? {};
  const containers = containersOf(pod);
  const ready = state === 'running';
  const pulled = state !== 'creating' && state !== 'not-ready';
  const running = state === 'running' || state === 'starting';
  const containerState = (c: Container): JsonObject => {
    switch (state) {
      case 'creating':
        return { waiting: { reason: 'ContainerCreating' } };
      case 'not-ready':
        return {
          waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` },
        };
      case 'crash-looping':
        return {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 10s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          },
        };
      case 'starting':
      case 'running':
        return { running: { startedAt: time } };
      case 'succeeded':
      case 'failed':
        return {
          terminated: {
            exitCode: state === 'succeeded' ? 0 : 1,
            reason: state === 'succeeded' ? 'Completed' : 'Error',
            startedAt: (previous.startTime as string | undefined) ?? time,
            finishedAt: time,
          },
        };
    }
  };
  return {
    ...previous,
    phase: PHASES[state],
    conditions: [
      condition('PodReadyToStartContainers', state !== 'creating', time),
      condition('Initialized', true, time),
      condition('Ready', ready, time, ready ? undefined : 'ContainersNotReady'),
      condition('ContainersReady', ready, time, ready ? undefined : 'ContainersNotReady'),
      condition('PodScheduled', true, time),
    ],
    startTime: (previous.startTime as string | undefined) ?? time,
    qosClass: 'BestEffort',
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: pulled ? (pulledImageId(previous, c) ?? imageIdOf(c.image ?? '')) : '',
      ready,
      started: running,
      restartCount: restarts?.count ?? 0,
      state: containerState(c),
      lastState: restarts ? { terminated: restarts.lastTermination } : {},
    })),
  };
}

/** A container keeps the digest it pulled first, even after its tag was re-pushed. */
function pulledImageId(previous: JsonObject, c: Container): string | undefined {
  const statuses = Array.isArray(previous.containerStatuses) ? (previous.containerStatuses as { name?: string; imageID?: string }[]) : [];
  const id = statuses.find((s) => s.name === c.name)?.imageID;
  return id ? id : undefined;
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status?.conditions ?? []) as { type: string; status: string }[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
