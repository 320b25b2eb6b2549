import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { deployment, startTestSimulator, type Client } from './helpers.js';

let sim: Simulator;
let api: Client;
beforeAll(async () => ({ sim, api } = await startTestSimulator()));
afterAll(() => sim.close());

const SECRETS = '/api/v1/namespaces/default/secrets';

describe('discovery', () => {
  it('serves version, API groups and resource lists with short names', async () => {
    expect((await api.get('/version')).body.gitVersion).toMatch(/^v1\.32/);
    expect((await api.get('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await api.get('/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'batch', 'networking.k8s.io']));
    const apps = (await api.get('/apis/apps/v1')).body;
    const deploy = apps.resources.find((r: { name: string }) => r.name === 'deployments');
    expect(deploy).toMatchObject({ kind: 'Deployment', namespaced: true, shortNames: ['deploy'] });
    expect(deploy.verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch', 'patch']));
    const core = (await api.get('/api/v1')).body.resources.map((r: { name: string }) => r.name);
    expect(core).toEqual(expect.arrayContaining(['namespaces', 'pods', 'pods/log', 'services', 'secrets', 'events']));
    expect((await api.get('/openapi/v2')).status).toBe(404);
  });
});

describe('CRUD', () => {
  it('creates, reads, updates and deletes an object with Kubernetes metadata', async () => {
    const created = await api.post(SECRETS, { metadata: { name: 'db', labels: { tier: 'db' } }, stringData: { password: 'pw' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'Secret', apiVersion: 'v1', type: 'Opaque', data: { password: 'cHc=' } });
    expect(created.body.metadata).toMatchObject({ name: 'db', namespace: 'default' });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.metadata.creationTimestamp).toMatch(/Z$/);
    expect(created.body.stringData).toBeUndefined();

    const read = await api.get(`${SECRETS}/db`);
    expect(read.body).toEqual(created.body);

    const updated = await api.put(`${SECRETS}/db`, { ...read.body, data: { password: 'bmV3' } });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(read.body.metadata.resourceVersion));

    const deleted = await api.delete(`${SECRETS}/db`);
    expect(deleted.status).toBe(200);
    const gone = await api.get(`${SECRETS}/db`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'secrets "db" not found',
      reason: 'NotFound',
      details: { name: 'db', group: '', kind: 'secrets' },
      code: 404,
    });
  });

  it('answers 409 AlreadyExists for a duplicate name', async () => {
    await api.post(SECRETS, { metadata: { name: 'dup' } });
    const again = await api.post(SECRETS, { metadata: { name: 'dup' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });
  });

  it('answers 409 Conflict for a stale resourceVersion and accepts the current one', async () => {
    const first = (await api.post(SECRETS, { metadata: { name: 'cas' } })).body;
    const second = await api.put(`${SECRETS}/cas`, { ...first, data: { a: 'YQ==' } });
    expect(second.status).toBe(200);
    const stale = await api.put(`${SECRETS}/cas`, { ...first, data: { a: 'Yg==' } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(stale.body.message).toContain('the object has been modified; please apply your changes to the latest version and try again');
    expect((await api.get(`${SECRETS}/cas`)).body.data).toEqual({ a: 'YQ==' });
  });

  it('supports generateName', async () => {
    const res = await api.post(SECRETS, { metadata: { generateName: 'gen-' } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('rejects invalid names and incomplete deployments with 422 Invalid', async () => {
    const bad = await api.post(SECRETS, { metadata: { name: 'Not_Valid' } });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ reason: 'Invalid', code: 422, details: { name: 'Not_Valid', kind: 'Secret' } });
    expect((await api.post(SECRETS, { metadata: {} })).status).toBe(422);
    const noSelector = await api.post('/apis/apps/v1/namespaces/default/deployments', {
      metadata: { name: 'x' },
      spec: { template: { spec: { containers: [] } } },
    });
    expect(noSelector.status).toBe(422);
    expect(noSelector.body.message).toContain('spec.selector');
  });

  it('refuses namespaced objects in a missing namespace', async () => {
    const res = await api.post('/api/v1/namespaces/nope/secrets', { metadata: { name: 'a' } });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('namespaces "nope" not found');
  });

  it('bumps generation on spec changes only', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const created = (await api.post(path, { ...deployment('gen', 'nginx'), spec: { ...deployment('gen', 'nginx').spec, paused: true } })).body;
    expect(created.metadata.generation).toBe(1);
    const labelled = (await api.patch(`${path}/gen`, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json')).body;
    expect(labelled.metadata.generation).toBe(1);
    const scaled = (await api.patch(`${path}/gen`, { spec: { replicas: 5 } }, 'application/merge-patch+json')).body;
    expect(scaled.metadata.generation).toBe(2);
    // A paused deployment's controller has settled by now (it only records observedGeneration).
    const fresh = (await api.get(`${path}/gen`)).body;
    const status = await api.put(`${path}/gen/status`, { ...fresh, status: { observedGeneration: 2, replicas: 1 } });
    expect(status.status).toBe(200);
    expect(status.body.metadata.generation).toBe(2);
    expect(status.body.status).toEqual({ observedGeneration: 2, replicas: 1 });
  });

  it('deleting a namespace deletes its contents', async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'temp' } });
    await api.post('/api/v1/namespaces/temp/secrets', { metadata: { name: 's' } });
    expect((await api.get('/api/v1/namespaces/temp/secrets/s')).status).toBe(200);
    expect((await api.delete('/api/v1/namespaces/temp')).status).toBe(200);
    expect((await api.get('/api/v1/namespaces/temp/secrets/s')).status).toBe(404);
    expect((await api.get('/api/v1/namespaces/temp')).status).toBe(404);
  });
});

describe('list and selectors', () => {
  beforeAll(async () => {
    await api.post('/api/v1/namespaces', { metadata: { name: 'sel' } });
    const items: [string, Record<string, string>][] = [
      ['a', { app: 'web', env: 'prod' }],
      ['b', { app: 'web', env: 'dev' }],
      ['c', { app: 'db' }],
    ];
    for (const [name, labels] of items) await api.post('/api/v1/namespaces/sel/configmaps', { metadata: { name, labels } });
  });

  const names = async (query: string) => {
    const res = await api.get(`/api/v1/namespaces/sel/configmaps?${query}`);
    expect(res.status).toBe(200);
    return res.body.items.map((i: { metadata: { name: string } }) => i.metadata.name);
  };

  it('returns a typed list with a resourceVersion', async () => {
    const res = await api.get('/api/v1/namespaces/sel/configmaps');
    expect(res.body).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
    expect(res.body.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it.each([
    ['labelSelector=app%3Dweb', ['a', 'b']],
    ['labelSelector=app%3D%3Dweb', ['a', 'b']],
    ['labelSelector=app!%3Dweb', ['c']],
    ['labelSelector=env%20in%20(prod,dev)', ['a', 'b']],
    ['labelSelector=env%20notin%20(prod)', ['b', 'c']],
    ['labelSelector=env', ['a', 'b']],
    ['labelSelector=!env', ['c']],
    ['labelSelector=app%3Dweb,env%3Ddev', ['b']],
    ['fieldSelector=metadata.name%3Dc', ['c']],
    ['fieldSelector=metadata.name!%3Dc', ['a', 'b']],
    ['fieldSelector=metadata.namespace%3Dsel', ['a', 'b', 'c']],
  ])('filters with %s', async (query, expected) => {
    expect(await names(query)).toEqual(expected);
  });

  it('lists across namespaces on the cluster-wide path', async () => {
    const res = await api.get('/api/v1/configmaps?labelSelector=app%3Ddb');
    expect(res.body.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual(['sel']);
  });

  it('rejects a malformed selector with 400', async () => {
    expect((await api.get('/api/v1/configmaps?labelSelector=a%20in%20b')).status).toBe(400);
  });
});
