import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, count, createProject, deployApp } from './helpers.js';

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
});
afterAll(async () => {
  await k?.stop();
});

/** The fields of Kubernetes objects these tests read. */
interface KubeObject {
  metadata: { labels?: Record<string, string>; uid?: string };
  spec: { template: { spec: { containers: { image: string }[] } }; ports: { port: number }[] };
}

async function sim(method: string, path: string, body?: unknown): Promise<{ status: number; json: KubeObject }> {
  const res = await fetch(`${k.sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as KubeObject };
}

const foreign = { app: 'theirs', team: 'payments' };

describe('deployApp next to objects Kipper did not create', () => {
  it('refuses a foreign Deployment of the same name and leaves it (and its Service) in place', async () => {
    await createProject(k, 'shop', ['test']);
    const created = await sim('POST', '/apis/apps/v1/namespaces/shop-test/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', labels: foreign },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'theirs' } },
        template: { metadata: { labels: { app: 'theirs' } }, spec: { containers: [{ name: 'main', image: 'their/image:1' }] } },
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await sim('POST', '/api/v1/namespaces/shop-test/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'api', labels: foreign },
        spec: { selector: { app: 'theirs' }, ports: [{ port: 81, targetPort: 9000 }] },
      })).status,
    ).toBe(201);
    const apps = await count(k, 'app');

    const res = await k.graphql('mutation { deployApp(input: { project: "shop", name: "api", image: "registry.example.com/api:v1", port: 8080 }) { id } }');
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors![0]!.message).toContain('Deployment shop-test/api exists and is not managed by Kipper; delete or rename it');

    // The refused deploy's cleanup removed nothing of theirs, and no app row is left.
    const deployment = await sim('GET', '/apis/apps/v1/namespaces/shop-test/deployments/api');
    expect(deployment.status).toBe(200);
    expect(deployment.json.metadata.labels).toEqual(foreign);
    expect(deployment.json.metadata.uid).toBe(created.json.metadata.uid);
    expect(deployment.json.spec.template.spec.containers[0].image).toBe('their/image:1');
    const service = await sim('GET', '/api/v1/namespaces/shop-test/services/api');
    expect(service.status).toBe(200);
    expect(service.json.spec.ports[0].port).toBe(81);
    expect(await count(k, 'app')).toBe(apps);
    // The audit log tells the app was created and removed again, and why.
    const audit = (await k.kipper.services.dataSource.query(`SELECT action, details->>'reason' AS reason FROM audit_entry WHERE target = 'shop-test/api' ORDER BY at`)) as unknown[];
    expect(audit).toEqual([
      { action: 'app.create', reason: null },
      { action: 'app.delete', reason: 'its workload could not be created in the cluster' },
    ]);
  });

  it('cleans up what it created when a later object is refused, and keeps the foreign one', async () => {
    expect(
      (await sim('POST', '/api/v1/namespaces/shop-test/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', labels: foreign },
        spec: { selector: { app: 'theirs' }, ports: [{ port: 82, targetPort: 9000 }] },
      })).status,
    ).toBe(201);
    const res = await k.graphql('mutation { deployApp(input: { project: "shop", name: "web", image: "registry.example.com/web:v1", port: 8080 }) { id } }');
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors![0]!.message).toContain('Service shop-test/web exists and is not managed by Kipper');
    expect((await sim('GET', '/apis/apps/v1/namespaces/shop-test/deployments/web')).status).toBe(404); // Kipper's own, removed
    const service = await sim('GET', '/api/v1/namespaces/shop-test/services/web');
    expect(service.status).toBe(200);
    expect(service.json.metadata.labels).toEqual(foreign);
  });

  it('deploys and deletes an app beside foreign objects of other names without touching them', async () => {
    const app = await deployApp(k, { project: 'shop', name: 'shop-api', image: 'registry.example.com/shop:v1' });
    expect((await sim('GET', '/apis/apps/v1/namespaces/shop-test/deployments/shop-api')).status).toBe(200);
    const res = await k.graphql('mutation($app: AppRef!) { deleteApp(app: $app) }', { app: { namespace: app.namespace, name: app.name } });
    expect(res.errors).toBeUndefined();
    expect((await sim('GET', '/apis/apps/v1/namespaces/shop-test/deployments/shop-api')).status).toBe(404);
    expect((await sim('GET', '/apis/apps/v1/namespaces/shop-test/deployments/api')).status).toBe(200);
  });
});
