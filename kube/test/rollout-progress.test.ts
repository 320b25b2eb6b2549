import { describe, expect, it } from 'vitest';
import { rolloutProgress, rolloutProgressOf, type DeploymentLike, type ReplicaSetLike, type RolloutProgress } from '../src/index.js';
import { unique, useSimulatorCluster, workload } from './helpers.js';

const SLOW_READY_MS = 500;
const testbed = useSimulatorCluster({ slowReadyMs: SLOW_READY_MS });

const template = (image: string, hash?: string) => ({
  metadata: { labels: { 'app.kubernetes.io/name': 'api', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'api', image }] },
});

const deployment = (
  status: NonNullable<DeploymentLike['status']>,
  { generation = 2, replicas = 3, revision = '2', image = 'api:v2' } = {},
): DeploymentLike => ({
  metadata: { name: 'api', uid: 'd-uid', generation, annotations: { 'deployment.kubernetes.io/revision': revision } },
  spec: { replicas, template: template(image) },
  status,
});

const replicaSet = (
  revision: string,
  image: string,
  status: NonNullable<ReplicaSetLike['status']>,
  owner = 'd-uid',
): ReplicaSetLike => ({
  metadata: {
    name: `api-${revision}`,
    uid: `rs-${revision}`,
    annotations: { 'deployment.kubernetes.io/revision': revision },
    ownerReferences: [{ uid: owner }],
  },
  spec: { template: template(image, `hash${revision}`) },
  status,
});

describe('rolloutProgressOf (counts on the new ReplicaSet)', () => {
  const midway = deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 });
  const old = replicaSet('1', 'api:v1', { replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  const fresh = replicaSet('2', 'api:v2', { replicas: 2, readyReplicas: 1, availableReplicas: 1 });

  it('counts ready and available among the new pods only, old pods apart', () => {
    expect(rolloutProgressOf(midway, [old, fresh])).toEqual({ updated: 2, ready: 1, available: 1, desired: 3, old: 2 });
  });

  it('ignores ReplicaSets of other owners', () => {
    const stranger = replicaSet('1', 'api:v1', { replicas: 5, readyReplicas: 5 }, 'someone-else');
    expect(rolloutProgressOf(midway, [stranger, fresh]).old).toBe(0);
  });

  it('finds the new ReplicaSet by its template when the revisions do not match', () => {
    const unstamped = deployment({ observedGeneration: 2, replicas: 2, updatedReplicas: 2 }, { revision: '7' });
    expect(rolloutProgressOf(unstamped, [old, fresh])).toMatchObject({ updated: 2, ready: 1, old: 2 });
  });

  it('falls back to the Deployment while the controller has not observed the spec', () => {
    const stale = deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(rolloutProgressOf(stale, [old, fresh])).toEqual({ updated: 0, ready: 0, available: 0, desired: 3, old: 3 });
    expect(rolloutProgressOf(stale, [old, fresh], 3)).toMatchObject({ updated: 0 });
  });

  it('falls back to the Deployment while the new ReplicaSet does not exist', () => {
    const created = deployment({ observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3 }, { revision: '3', image: 'api:v3' });
    expect(rolloutProgressOf(created, [old])).toEqual({ updated: 0, ready: 0, available: 0, desired: 3, old: 3 });
  });
});

describe('rolloutProgress (the Deployment alone)', () => {
  it('counts updated replicas only once the spec is observed', () => {
    const stale = deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(rolloutProgress(stale)).toEqual({ updated: 0, ready: 0, available: 0, desired: 3, old: 3 });
  });

  it('takes ready pods beyond the old ones as new', () => {
    const current = deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 });
    expect(rolloutProgress(current)).toEqual({ updated: 2, ready: 1, available: 1, desired: 3, old: 2 });
    const done = deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(rolloutProgress(done)).toEqual({ updated: 3, ready: 3, available: 3, desired: 3, old: 0 });
  });
});

describe('followRollout progress on the simulator', () => {
  it('counts only new pods as ready during a slow rollout, the old ones serving apart', async () => {
    const ns = unique('progress');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 3 }));
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:sim-slow');

    const progress: RolloutProgress[] = [];
    const outcome = await testbed.cluster.followRollout(ns, 'api', {
      minGeneration: generation,
      timeoutMs: 20_000,
      onProgress: (p) => progress.push(p),
    });
    expect(outcome).toEqual({ ok: true });
    // The first new pod starts beside the three old ones, which serve until it is ready; then one
    // old pod goes and the next new one starts (each state lasts about slowReadyMs).
    expect(progress).toContainEqual({ updated: 1, ready: 0, available: 0, desired: 3, old: 3 });
    expect(progress).toContainEqual({ updated: 2, ready: 1, available: 1, desired: 3, old: 2 });
    expect(progress).toContainEqual({ updated: 3, ready: 2, available: 2, desired: 3, old: 1 });
    expect(progress.every((p) => p.ready <= p.updated && p.available <= p.updated)).toBe(true);
    expect(progress.at(-1)).toEqual({ updated: 3, ready: 3, available: 3, desired: 3, old: 0 });
  });
});
