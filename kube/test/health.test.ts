import { describe, expect, it } from 'vitest';
import { healthOf, missingHealth, type ContainerStatusLike, type DeploymentLike, type PodLike, type ReplicaSetLike } from '../src/index.js';

// Plain objects shaped like the API's JSON: the decision is a pure function of them.
const template = (image: string) => ({
  metadata: { labels: { 'app.kubernetes.io/name': 'api' } },
  spec: { containers: [{ name: 'api', image }] },
});

function deployment(
  status: NonNullable<DeploymentLike['status']>,
  { replicas = 3, image = 'api:v2', paused = false }: { replicas?: number; image?: string; paused?: boolean } = {},
): DeploymentLike {
  return {
    metadata: { name: 'api', uid: 'd', generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas, paused, template: template(image) },
    status: { observedGeneration: 2, ...status },
  };
}

const rollingOut = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 };
const complete = { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };

const replicaSet = (revision: string, image: string): ReplicaSetLike => ({
  metadata: {
    name: `api-${revision}`,
    uid: `rs${revision}`,
    labels: { 'pod-template-hash': `h${revision}` },
    annotations: { 'deployment.kubernetes.io/revision': revision },
    ownerReferences: [{ uid: 'd' }],
  },
  spec: { template: template(image) },
});
const oldRs = replicaSet('1', 'api:v1');
const newRs = replicaSet('2', 'api:v2');

let podCounter = 0;
function pod(rs: ReplicaSetLike, ready: boolean, container: ContainerStatusLike = {}): PodLike {
  return {
    metadata: { name: `p${++podCounter}`, ownerReferences: [{ uid: rs.metadata!.uid! }] },
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ image: 'api:v2', restartCount: 0, ...container }],
    },
  };
}
const crashLooping = (restartCount: number) => ({
  restartCount,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
  lastState: { terminated: { reason: 'Error' } },
});
const pullBackOff = { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "api:v2"' } } };

describe('healthOf', () => {
  it('is Healthy when the rollout is complete and every pod ready', () => {
    const pods = [pod(newRs, true), pod(newRs, true), pod(newRs, true)];
    expect(healthOf(deployment(complete), [oldRs, newRs], pods)).toEqual({
      status: 'Healthy',
      reason: null,
      message: '3/3 replicas available',
    });
  });

  it('is Suspended at 0 replicas or paused, whatever the pods do', () => {
    expect(healthOf(deployment({}, { replicas: 0 }), [newRs], [])).toMatchObject({ status: 'Suspended', reason: null });
    const paused = healthOf(deployment(rollingOut, { paused: true }), [newRs], [pod(newRs, false, crashLooping(3))]);
    expect(paused).toMatchObject({ status: 'Suspended', message: 'deployment "api" is paused' });
  });

  it('is Missing without a Deployment', () => {
    expect(missingHealth('api')).toEqual({ status: 'Missing', reason: null, message: 'deployment "api" not found' });
  });

  it('is Progressing while new pods are coming or not ready yet', () => {
    const pods = [pod(oldRs, true), pod(oldRs, true), pod(oldRs, true), pod(newRs, false, { state: { waiting: { reason: 'ContainerCreating' } } })];
    const health = healthOf(deployment(rollingOut), [oldRs, newRs], pods);
    expect(health).toMatchObject({ status: 'Progressing', reason: null });
    expect(health.message).toContain('1 out of 3 new replicas have been updated');
    const notObserved = deployment({ ...complete, observedGeneration: 1 });
    expect(healthOf(notObserved, [oldRs, newRs], []).status).toBe('Progressing');
  });

  it('is Degraded when pods of the current ReplicaSet crash-loop, counting them and their restarts', () => {
    const pods = [pod(newRs, false, crashLooping(4)), pod(newRs, false, crashLooping(3)), pod(newRs, true)];
    expect(healthOf(deployment(complete), [oldRs, newRs], pods)).toEqual({
      status: 'Degraded',
      reason: 'CrashLoopBackOff',
      message: '2/3 pods crash-looping (CrashLoopBackOff, 7 restarts)',
    });
  });

  it('ignores failing pods of older ReplicaSets: they are on their way out', () => {
    const pods = [pod(oldRs, false, crashLooping(9)), pod(newRs, true), pod(newRs, true), pod(newRs, true)];
    expect(healthOf(deployment({ ...complete, replicas: 4 }), [oldRs, newRs], pods).status).toBe('Progressing');
  });

  it('is Degraded with ImagePullBackOff / ErrImagePull naming the image', () => {
    const pods = [pod(oldRs, true), pod(oldRs, true), pod(oldRs, true), pod(newRs, false, pullBackOff)];
    expect(healthOf(deployment(rollingOut), [oldRs, newRs], pods)).toEqual({
      status: 'Degraded',
      reason: 'ImagePullBackOff',
      message: '1/1 pod cannot pull image "api:v2" (ImagePullBackOff)',
    });
    const errPull = [pod(newRs, false, { state: { waiting: { reason: 'ErrImagePull' } } })];
    expect(healthOf(deployment(rollingOut), [oldRs, newRs], errPull).reason).toBe('ErrImagePull');
  });

  it('is Degraded with OOMKilled when a pod was killed for memory and is not ready, not when it recovered', () => {
    const oom = { ...crashLooping(2), lastState: { terminated: { reason: 'OOMKilled' } } };
    expect(healthOf(deployment(complete), [newRs], [pod(newRs, false, oom), pod(newRs, true), pod(newRs, true)])).toEqual({
      status: 'Degraded',
      reason: 'OOMKilled',
      message: '1/3 pods running out of memory (OOMKilled, 2 restarts)',
    });
    const recovered = [pod(newRs, true, { restartCount: 1, lastState: { terminated: { reason: 'OOMKilled' } } }), pod(newRs, true), pod(newRs, true)];
    expect(healthOf(deployment(complete), [newRs], recovered).status).toBe('Healthy');
  });

  it('reports the most widespread reason, the cause before the symptom on a tie', () => {
    const mixed = [pod(newRs, false, pullBackOff), pod(newRs, false, pullBackOff), pod(newRs, false, crashLooping(1))];
    expect(healthOf(deployment(complete), [newRs], mixed).reason).toBe('ImagePullBackOff');
    const tie = [pod(newRs, false, pullBackOff), pod(newRs, false, crashLooping(1))];
    expect(healthOf(deployment(complete), [newRs], tie).reason).toBe('CrashLoopBackOff');
  });

  it('reports other kubelet reasons with their message', () => {
    const config = { state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } } };
    expect(healthOf(deployment(complete), [newRs], [pod(newRs, false, config)])).toEqual({
      status: 'Degraded',
      reason: 'CreateContainerConfigError',
      message: '1/1 pod cannot start (CreateContainerConfigError: secret "db" not found)',
    });
  });

  it('is Degraded when the progress deadline is exceeded, without pod problems to name', () => {
    const conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "api-2" has timed out progressing.' }];
    expect(healthOf(deployment({ ...rollingOut, conditions }), [oldRs, newRs], [])).toEqual({
      status: 'Degraded',
      reason: 'ProgressDeadlineExceeded',
      message: 'deployment "api" exceeded its progress deadline',
    });
  });

  it('finds the current pods by pod-template-hash when they carry no owner reference', () => {
    const orphan: PodLike = {
      metadata: { labels: { 'pod-template-hash': 'h2' } },
      status: { conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [crashLooping(1)] },
    };
    expect(healthOf(deployment(complete), [oldRs, newRs], [orphan]).reason).toBe('CrashLoopBackOff');
  });
});
