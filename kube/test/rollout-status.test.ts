import { describe, expect, it } from 'vitest';
import { rolloutStatus, type DeploymentLike } from '../src/index.js';

// Cases follow kubectl's DeploymentStatusViewer (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go).
const deployment = (
  status: NonNullable<DeploymentLike['status']>,
  { generation = 2, replicas = 3 }: { generation?: number; replicas?: number } = {},
): DeploymentLike => ({ metadata: { name: 'api', generation }, spec: { replicas }, status });

const progressing = (reason: string) => [{ type: 'Progressing', status: 'True', reason }];

describe('rolloutStatus (kubectl rollout status)', () => {
  it('waits until the controller has observed the generation', () => {
    const d = deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(rolloutStatus(d)).toEqual({ state: 'waiting', message: 'Waiting for deployment spec update to be observed...' });
  });

  it('waits for minGeneration even when generation is observed', () => {
    const d = deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(rolloutStatus(d, 3).state).toBe('waiting');
    expect(rolloutStatus(d, 2).state).toBe('done');
  });

  it('fails on ProgressDeadlineExceeded, before looking at replica counts', () => {
    const d = deployment({
      observedGeneration: 2,
      replicas: 4,
      updatedReplicas: 1,
      availableReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    expect(rolloutStatus(d)).toEqual({
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: 'deployment "api" exceeded its progress deadline',
    });
  });

  it('ignores ProgressDeadlineExceeded of a generation not yet observed', () => {
    const d = deployment({
      observedGeneration: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    expect(rolloutStatus(d).state).toBe('waiting');
  });

  it('waits while fewer replicas are updated than desired', () => {
    const d = deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: progressing('ReplicaSetUpdated') });
    expect(rolloutStatus(d)).toEqual({
      state: 'waiting',
      message: 'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...',
    });
  });

  it('waits while old replicas are pending termination', () => {
    const d = deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 });
    expect(rolloutStatus(d)).toEqual({
      state: 'waiting',
      message: 'Waiting for deployment "api" rollout to finish: 1 old replicas are pending termination...',
    });
  });

  it('waits while updated replicas are not yet available', () => {
    const d = deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 });
    expect(rolloutStatus(d)).toEqual({
      state: 'waiting',
      message: 'Waiting for deployment "api" rollout to finish: 2 of 3 updated replicas are available...',
    });
  });

  it('is done when all desired replicas are updated and available', () => {
    const d = deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: progressing('NewReplicaSetAvailable') });
    expect(rolloutStatus(d)).toEqual({ state: 'done', message: 'deployment "api" successfully rolled out' });
  });

  it('treats missing (omitempty) counters as zero: scaled to zero is done', () => {
    expect(rolloutStatus(deployment({ observedGeneration: 2 }, { replicas: 0 })).state).toBe('done');
    expect(rolloutStatus(deployment({ observedGeneration: 2 }, { replicas: 1 })).state).toBe('waiting');
  });
});
