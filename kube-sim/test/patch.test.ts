import { describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, useTestSimulator } from './helpers.js';

const testbed = useTestSimulator();

async function create(name: string) {
  const body = deployment(name, 'nginx:1.25');
  body.spec.template.spec.containers.push({ name: 'sidecar', image: 'envoy:1', ports: [{ containerPort: 9901 }] });
  (body.spec.template.spec.containers[0] as Record<string, unknown>).env = [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
  ];
  expect((await testbed.api.post(DEPLOYMENTS, body)).status).toBe(201);
}

const containers = async (name: string) => (await testbed.api.get(`${DEPLOYMENTS}/${name}`)).body.spec.template.spec.containers;

describe('patch', () => {
  it('strategic merge patch merges containers and env by name', async () => {
    await create('smp');
    const res = await testbed.api.patch(
      `${DEPLOYMENTS}/smp`,
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'app', image: 'nginx:1.26', env: [{ name: 'B', value: 'changed' }, { name: 'C', value: '3' }] }],
            },
          },
        },
      },
      'application/strategic-merge-patch+json',
    );
    expect(res.status).toBe(200);
    const [app, sidecar] = await containers('smp');
    expect(app.image).toBe('nginx:1.26');
    expect(app.ports).toEqual([{ containerPort: 8080 }]);
    expect(app.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'changed' },
      { name: 'C', value: '3' },
    ]);
    expect(sidecar).toMatchObject({ name: 'sidecar', image: 'envoy:1' });
  });

  it('strategic merge patch honours $patch: delete and ignores $setElementOrder', async () => {
    await create('smp-delete');
    const res = await testbed.api.patch(
      `${DEPLOYMENTS}/smp-delete`,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'app' }],
              containers: [{ name: 'sidecar', $patch: 'delete' }],
            },
          },
        },
      },
      'application/strategic-merge-patch+json',
    );
    expect(res.status).toBe(200);
    expect((await containers('smp-delete')).map((c: { name: string }) => c.name)).toEqual(['app']);
  });

  it('merge patch replaces lists and deletes keys set to null', async () => {
    await create('merge');
    const res = await testbed.api.patch(
      `${DEPLOYMENTS}/merge`,
      { metadata: { labels: { app: null, team: 'a' } }, spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(200);
    expect(res.body.metadata.labels).toEqual({ team: 'a' });
    expect(res.body.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('JSON patch applies operations in order and fails atomically on a failed test', async () => {
    await create('jsonpatch');
    const ok = await testbed.api.patch(
      `${DEPLOYMENTS}/jsonpatch`,
      [
        { op: 'test', path: '/spec/replicas', value: 3 },
        { op: 'replace', path: '/spec/replicas', value: 2 },
        { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
        { op: 'copy', from: '/metadata/annotations/a~0b~1c', path: '/metadata/labels/copied' },
        { op: 'remove', path: '/spec/template/spec/containers/1' },
        { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'last', image: 'y' } },
        { op: 'move', from: '/metadata/labels/copied', path: '/metadata/labels/moved' },
      ],
      'application/json-patch+json',
    );
    expect(ok.status).toBe(200);
    expect(ok.body.spec.replicas).toBe(2);
    expect(ok.body.metadata.annotations).toEqual({ 'a~b/c': 'x' });
    expect(ok.body.metadata.labels).toEqual({ app: 'jsonpatch', moved: 'x' });
    expect(ok.body.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'last']);

    const failed = await testbed.api.patch(
      `${DEPLOYMENTS}/jsonpatch`,
      [
        { op: 'replace', path: '/spec/replicas', value: 7 },
        { op: 'test', path: '/spec/replicas', value: 3 },
      ],
      'application/json-patch+json',
    );
    expect(failed.status).toBe(422);
    expect((await testbed.api.get(`${DEPLOYMENTS}/jsonpatch`)).body.spec.replicas).toBe(2);
  });

  it('a resourceVersion in a patch is a precondition', async () => {
    await create('precondition');
    const res = await testbed.api.patch(`${DEPLOYMENTS}/precondition`, { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } }, 'application/merge-patch+json');
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe('Conflict');
  });

  it('answers 415 for other content types and 404 for missing objects', async () => {
    await create('media');
    const res = await testbed.api.patch(`${DEPLOYMENTS}/media`, 'spec: {}', 'application/apply-patch+yaml');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    const missing = await testbed.api.patch(`${DEPLOYMENTS}/missing`, {}, 'application/merge-patch+json');
    expect(missing.status).toBe(404);
  });
});
