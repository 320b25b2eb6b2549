import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError } from '@kipper/kube';
import { RevisionTrigger } from '@kipper/core';
import { INTERNAL_ERROR_REASON, publicFailureReason } from '@kipper/worker/testing';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, revisionsOf, settled, startStack, type Stack } from './harness.js';

/** Failure reasons are readable by webhook-token holders: outcomes only, no internal details. */
describe('worker: failure reasons', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50 });
    workers = await startWorkers(stack, 1);
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  it('unexpected errors become a generic reason; a refusal to touch a foreign object says what to fix', () => {
    expect(publicFailureReason(new Error('connect to 10.0.0.3:5432 as kipper_admin failed'))).toBe(INTERNAL_ERROR_REASON);
    expect(publicFailureReason(new ClusterError('CLUSTER_INVALID', 'create Deployment x/y: admission webhook "policy.internal" denied'))).toBe(INTERNAL_ERROR_REASON);
    expect(INTERNAL_ERROR_REASON).toBe('internal error (see the worker log)');
  });

  it('a foreign Deployment in the way fails the revision at once (not retried), leaves the object, and says why', async () => {
    const ns = stack.environment.namespace;
    await stack.cluster.ensureNamespace(ns);
    const res = await fetch(`${stack.sim.url}/apis/apps/v1/namespaces/${ns}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'taken', labels: { app: 'theirs' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'theirs' } },
          template: { metadata: { labels: { app: 'theirs' } }, spec: { containers: [{ name: 'main', image: 'their/image:1' }] } },
        },
      }),
    });
    expect(res.status).toBe(201);
    const app = await createApp(stack, { name: 'taken', replicas: 1 });
    await stack.revisions.deployImage(app, { image: 'registry.example.com/taken:v1', trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await settled(stack, [app], 20_000, () => workers.output());
    const [revision] = await revisionsOf(stack, app);
    expect(revision).toMatchObject({
      status: 'failed',
      failureReason: `Deployment ${ns}/taken exists and is not managed by Kipper; delete or rename it`,
    });
    expect(await stack.cluster.readImage(ns, 'taken')).toBe('their/image:1');
  });
});
