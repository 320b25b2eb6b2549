import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, AuditEntry, DeployEventType, DriftPolicy, RevisionTrigger, topics, type DeployEventPayload } from '@kipper/core';
import { deleteDeployment, deleteObject, deploymentImage, objectStatus, readDeployment, scaleDeployment, setDeploymentImage } from '../support/sim-objects.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, reloadApp, settled, startStack, waitFor, waitForSubscriber, type Stack } from './harness.js';

/**
 * The cluster is changed behind Kipper's back (kubectl-like REST calls to the simulator): the
 * worker's reconciler puts it back to the record within the reconcile interval (1 s here; watch
 * events make it sooner), or only flags it when the app's drift policy is `report`.
 */
describe('worker: the reconciler keeps the cluster matching the record', () => {
  let stack: Stack;
  let workers: WorkerGroup;
  const events: DeployEventPayload[] = [];
  const subscriptions: AsyncIterableIterator<DeployEventPayload>[] = [];

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50 });
    workers = await startWorkers(stack, 1, { KIPPER_RECONCILE_SECONDS: '1' });
  });
  afterAll(async () => {
    for (const s of subscriptions) await s.return?.();
    await workers?.stop();
    await stack?.close();
  });

  async function deployed(name: string, driftPolicy = DriftPolicy.REPAIR): Promise<App> {
    const app = await createApp(stack, { name, replicas: 2, driftPolicy });
    await stack.revisions.deployImage(app, { image: `registry.example.com/${name}:v1`, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await settled(stack, [app], 30_000, () => workers.output());
    const subscription = stack.pubsub.subscribe<DeployEventPayload>(topics.app(app.id));
    subscriptions.push(subscription);
    void (async () => {
      for await (const event of subscription) events.push(event);
    })();
    await waitForSubscriber(stack.redisUrl, stack.pubsub.channel(topics.app(app.id)));
    return reloadApp(stack, app);
  }

  const repairs = async (app: App) =>
    (await stack.db.getRepository(AuditEntry).find({ where: { action: 'app.repair', target: `${app.namespace}/${app.name}` }, order: { at: 'ASC' } })).flatMap(
      (entry) => entry.details.repairs as string[],
    );
  const eventOf = (app: App, type: DeployEventType, text: RegExp) => events.find((e) => e.appId === app.id && e.type === type && text.test(e.message ?? ''));

  it('a deleted Deployment is recreated with the current image, and an image changed behind Kipper is put back', async () => {
    const app = await deployed('web');
    const deletedAt = Date.now();
    await deleteDeployment(stack.sim.url, app.namespace, 'web');
    // Back with the current image and the revision's annotation, as the rollout had left it.
    await waitFor(
      async () => {
        const recreated = await readDeployment(stack.sim.url, app.namespace, 'web');
        return recreated?.spec.template.spec.containers[0]?.image === 'registry.example.com/web:v1' && recreated.spec.template.metadata?.annotations?.['kipper.dev/revision'] === '1';
      },
      { timeoutMs: 5_000, intervalMs: 50, describe: () => workers.output() },
    );
    console.log(`reconcile: deleted Deployment back after ${Date.now() - deletedAt} ms`);
    await waitFor(async () => eventOf(app, DeployEventType.REPAIRED, /recreated Deployment/), { timeoutMs: 5_000 });
    expect(await repairs(app)).toContain('recreated Deployment');

    const changedAt = Date.now();
    await setDeploymentImage(stack.sim.url, app.namespace, 'web', 'registry.example.com/web:intruder');
    await waitFor(async () => (await deploymentImage(stack.sim.url, app.namespace, 'web')) === 'registry.example.com/web:v1', {
      timeoutMs: 5_000,
      intervalMs: 50,
      describe: () => workers.output(),
    });
    console.log(`reconcile: changed image put back after ${Date.now() - changedAt} ms`);
    const message = 'image put back to registry.example.com/web:v1 (was registry.example.com/web:intruder)';
    await waitFor(async () => eventOf(app, DeployEventType.REPAIRED, new RegExp(message.replace(/[.()]/g, '\\$&'))), { timeoutMs: 5_000 });
    expect(await repairs(app)).toContain(message);

    await scaleDeployment(stack.sim.url, app.namespace, 'web', 5);
    await waitFor(async () => (await readDeployment(stack.sim.url, app.namespace, 'web'))?.spec.replicas === 2, { timeoutMs: 5_000, describe: () => workers.output() });
    await waitFor(async () => (await repairs(app)).includes('replicas put back to 2 (was 5)'), { timeoutMs: 5_000 });
    expect((await reloadApp(stack, app)).drift).toBeNull();
  });

  it('a deleted Service is recreated', async () => {
    const app = await deployed('api');
    const path = `/api/v1/namespaces/${app.namespace}/services/api`;
    await deleteObject(stack.sim.url, path);
    await waitFor(async () => (await objectStatus(stack.sim.url, path)) === 200, { timeoutMs: 5_000, describe: () => workers.output() });
    await waitFor(async () => (await repairs(app)).includes('recreated Service'), { timeoutMs: 5_000 });
  });

  it('with drift policy report the change is only flagged: app.drift set, a DRIFT event, the image left alone', async () => {
    const app = await deployed('jobs', DriftPolicy.REPORT);
    await setDeploymentImage(stack.sim.url, app.namespace, 'jobs', 'registry.example.com/jobs:hotfix');
    const flagged = await waitFor(async () => (await reloadApp(stack, app)).drift ?? undefined, { timeoutMs: 5_000, describe: () => workers.output() });
    expect(flagged.message).toBe('drift: image is registry.example.com/jobs:hotfix (Kipper deployed registry.example.com/jobs:v1)');
    await waitFor(async () => eventOf(app, DeployEventType.DRIFT, /jobs:hotfix/), { timeoutMs: 5_000 });

    // Later passes see it too (a second difference joins the flag) and still touch nothing.
    await scaleDeployment(stack.sim.url, app.namespace, 'jobs', 3);
    await waitFor(async () => /replicas are 3 \(the app has 2\)/.test((await reloadApp(stack, app)).drift?.message ?? ''), {
      timeoutMs: 5_000,
      describe: () => workers.output(),
    });
    expect(await deploymentImage(stack.sim.url, app.namespace, 'jobs')).toBe('registry.example.com/jobs:hotfix');
    expect((await readDeployment(stack.sim.url, app.namespace, 'jobs'))!.spec.replicas).toBe(3);
    expect(await repairs(app)).toEqual([]);

    // Put back by hand: the flag goes.
    await setDeploymentImage(stack.sim.url, app.namespace, 'jobs', 'registry.example.com/jobs:v1');
    await scaleDeployment(stack.sim.url, app.namespace, 'jobs', 2);
    await waitFor(async () => (await reloadApp(stack, app)).drift === null, { timeoutMs: 5_000, describe: () => workers.output() });
  });

  it('an object Kipper did not create is never touched, only reported', async () => {
    const app = await deployed('shop');
    // Someone else's Ingress of the app's name; then the app gets a host (its Ingress would be that one).
    const path = `/apis/networking.k8s.io/v1/namespaces/${app.namespace}/ingresses/shop`;
    const res = await fetch(`${stack.sim.url}/apis/networking.k8s.io/v1/namespaces/${app.namespace}/ingresses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', labels: { team: 'theirs' } }, spec: { rules: [{ host: 'theirs.example.com' }] } }),
    });
    expect(res.status).toBe(201);
    await stack.db.getRepository(App).update(app.id, { host: 'shop.example.com' });
    await waitFor(async () => (await reloadApp(stack, app)).drift?.message ?? undefined, { timeoutMs: 5_000, describe: () => workers.output() });
    expect((await reloadApp(stack, app)).drift!.message).toBe(`drift: Ingress ${app.namespace}/shop exists and is not managed by Kipper; left alone`);
    const ingress = (await (await fetch(`${stack.sim.url}${path}`)).json()) as { metadata: { labels: Record<string, string> }; spec: unknown };
    expect(ingress.metadata.labels).toEqual({ team: 'theirs' });
    expect(ingress.spec).toMatchObject({ rules: [{ host: 'theirs.example.com' }] });
    expect(workers.output()).not.toMatch(/reconcile failed/);
  });
});
