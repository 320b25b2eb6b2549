import { describe, expect, it } from 'vitest';
import { condition, deployment, DEPLOYMENTS, useTestSimulator, waitFor, type Json } from './helpers.js';

const testbed = useTestSimulator();

const get = async (name: string): Promise<Json> => (await testbed.api.get(`${DEPLOYMENTS}/${name}`)).body;

function isComplete(d: Json): boolean {
  const s = d.status ?? {};
  return (
    s.observedGeneration === d.metadata.generation &&
    s.updatedReplicas === d.spec.replicas &&
    s.replicas === d.spec.replicas &&
    s.availableReplicas === d.spec.replicas &&
    condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable'
  );
}

const waitComplete = (name: string) =>
  waitFor(async () => {
    const d = await get(name);
    return isComplete(d) && d;
  }, 5000, `rollout of ${name}`);

describe('deployment controller', () => {
  it('rolls out a new deployment to complete status', async () => {
    expect((await testbed.api.post(DEPLOYMENTS, deployment('web', 'nginx:1.25'))).status).toBe(201);
    const d = await waitComplete('web');
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    expect(d.status.readyReplicas).toBe(3);
    expect(d.status.unavailableReplicas).toBeUndefined();
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(condition(d, 'Progressing').lastUpdateTime).toMatch(/Z$/);

    const rs = (await testbed.api.get('/apis/apps/v1/namespaces/default/replicasets')).body.items;
    expect(rs).toHaveLength(1);
    const hash = rs[0].metadata.labels['pod-template-hash'];
    expect(rs[0].metadata.name).toBe(`web-${hash}`);
    expect(rs[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true });
    const pods = (await testbed.api.get(`/api/v1/namespaces/default/pods?labelSelector=app%3Dweb,pod-template-hash%3D${hash}`)).body.items;
    expect(pods).toHaveLength(3);
    expect(pods.every((p: Json) => p.status.phase === 'Running')).toBe(true);

    const events = (await testbed.api.get('/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb,involvedObject.kind%3DDeployment')).body.items;
    expect(events.map((e: Json) => e.reason)).toContain('ScalingReplicaSet');
  });

  it('rolls a template change through a new ReplicaSet and removes old pods', async () => {
    await testbed.api.post(DEPLOYMENTS, deployment('update', 'nginx:1.25'));
    const first = await waitComplete('update');
    const patched = await testbed.api.patch(
      `${DEPLOYMENTS}/update`,
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } } },
      'application/strategic-merge-patch+json',
    );
    expect(patched.body.metadata.generation).toBe(first.metadata.generation + 1);
    const done = await waitComplete('update');
    expect(done.status.observedGeneration).toBe(first.metadata.generation + 1);
    const pods = (await testbed.api.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dupdate')).body.items;
    expect(pods).toHaveLength(3);
    expect(pods.every((p: Json) => p.spec.containers[0].image === 'nginx:1.26')).toBe(true);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('a failing image hits ProgressDeadlineExceeded, and fixing the image recovers', async () => {
    await testbed.api.post(DEPLOYMENTS, deployment('broken', 'registry.example.com/api:1', { replicas: 2, progressDeadlineSeconds: 1 }));
    await waitComplete('broken');
    await testbed.api.patch(
      `${DEPLOYMENTS}/broken`,
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example.com/api:sim-fail' }] } } } },
      'application/strategic-merge-patch+json',
    );
    const failed = await waitFor(async () => {
      const d = await get('broken');
      return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && d;
    }, 5000, 'ProgressDeadlineExceeded');
    const progressing = condition(failed, 'Progressing');
    expect(progressing.status).toBe('False');
    expect(progressing.message).toMatch(/^ReplicaSet "broken-[a-z0-9]+" has timed out progressing\.$/);
    // maxSurge (25% of 2, rounded up) allows one extra pod; it never gets ready, so no old pod
    // goes and no second new pod comes: the old pods keep serving (maxUnavailable 0).
    expect(failed.status.updatedReplicas).toBe(1);
    expect(failed.status.replicas).toBe(3);
    expect(failed.status.availableReplicas).toBe(2);

    await testbed.api.patch(
      `${DEPLOYMENTS}/broken`,
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example.com/api:2' }] } } } },
      'application/strategic-merge-patch+json',
    );
    const recovered = await waitComplete('broken');
    expect(condition(recovered, 'Progressing').status).toBe('True');
  });

  it('a failing image on a new deployment stays unavailable', async () => {
    await testbed.api.post(DEPLOYMENTS, deployment('never', 'x:sim-fail', { replicas: 1, progressDeadlineSeconds: 1 }));
    const d = await waitFor(async () => {
      const d = await get('never');
      return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && d;
    }, 5000, 'ProgressDeadlineExceeded');
    expect(condition(d, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(d.status.readyReplicas).toBeUndefined();
    expect(d.status.unavailableReplicas).toBe(1);
  });

  it('a change in the middle of a rollout restarts it towards the newest template', async () => {
    await testbed.api.post(DEPLOYMENTS, deployment('restart', 'img:1', { replicas: 5 }));
    await testbed.api.patch(`${DEPLOYMENTS}/restart`, { spec: { template: { spec: { containers: [{ name: 'app', image: 'img:2' }] } } } }, 'application/strategic-merge-patch+json');
    const d = await waitComplete('restart');
    expect(d.metadata.generation).toBe(2);
    const pods = (await testbed.api.get('/api/v1/namespaces/default/pods?labelSelector=app%3Drestart')).body.items;
    expect(pods.map((p: Json) => p.spec.containers[0].image)).toEqual(Array(5).fill('img:2'));
  });

  it('scales through spec.replicas and the scale subresource', async () => {
    await testbed.api.post(DEPLOYMENTS, deployment('scale', 'img:1', { replicas: 1 }));
    await waitComplete('scale');
    const scale = await testbed.api.patch(`${DEPLOYMENTS}/scale/scale`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
    expect(scale.body).toMatchObject({ kind: 'Scale', spec: { replicas: 3 } });
    expect((await waitComplete('scale')).status.replicas).toBe(3);
  });

  it('deleting a deployment deletes its replica sets and pods', async () => {
    await testbed.api.post(DEPLOYMENTS, deployment('gone', 'img:1', { replicas: 2 }));
    await waitComplete('gone');
    expect((await testbed.api.delete(`${DEPLOYMENTS}/gone`)).status).toBe(200);
    expect((await testbed.api.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dgone')).body.items).toEqual([]);
    expect((await testbed.api.get('/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dgone')).body.items).toEqual([]);
  });

  it('survives deleting a namespace in the middle of a rollout', async () => {
    await testbed.api.post('/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await testbed.api.post('/apis/apps/v1/namespaces/doomed/deployments', deployment('d', 'img:1', { replicas: 4 }));
    await testbed.api.post('/apis/batch/v1/namespaces/doomed/jobs', {
      metadata: { name: 'j' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'img:1' }] } } },
    });
    await new Promise((r) => setTimeout(r, 30));
    expect((await testbed.api.delete('/api/v1/namespaces/doomed')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await testbed.api.get('/api/v1/pods?fieldSelector=metadata.namespace%3Ddoomed')).body.items).toEqual([]);
    expect((await testbed.api.get('/version')).status).toBe(200);
  });
});
