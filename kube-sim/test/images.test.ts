import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENTS, deployment, useTestSimulator, waitFor, type Json } from './helpers.js';

const t = useTestSimulator();
const image = `registry.example.com/imgs-${randomBytes(3).toString('hex')}`;

async function imageIdsOf(name: string): Promise<string[]> {
  const pods = (await t.api.get(`/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`)).body as Json;
  return (pods.items as Json[]).map((pod) => pod.status?.containerStatuses?.[0]?.imageID ?? '');
}

async function runningIds(name: string, tag: string, replicas = 1): Promise<string[]> {
  expect((await t.api.post(DEPLOYMENTS, deployment(name, tag, { replicas }))).status).toBe(201);
  return waitFor(async () => {
    const ids = (await imageIdsOf(name)).filter((id) => id !== '');
    return ids.length === replicas ? ids : undefined;
  });
}

describe('image digests and re-pushed tags', () => {
  it('reports one deterministic digest per reference, a new one after a re-push, and exactly a digest reference\'s digest', async () => {
    const [first] = await runningIds('one', `${image}:main`);
    expect(first).toMatch(new RegExp(`^${image.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
    const [same] = await runningIds('two', `${image}:main`);
    expect(same).toBe(first);

    const pushed = await t.api.post('/kipper-sim/v1/images/push', { image: `${image}:main` });
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ image: `${image}:main`, generation: 1 });
    const [moved] = await runningIds('three', `${image}:main`);
    expect(moved).toBe(`${image}@${pushed.body.digest}`);
    expect(moved).not.toBe(first);
    // Running pods keep what they pulled.
    expect(await imageIdsOf('one')).toEqual([first]);

    const pinned = first!.slice(first!.indexOf('@') + 1);
    const [exact] = await runningIds('four', `${image}@${pinned}`);
    expect(exact).toBe(first);
  });

  it('refuses what is not a re-push of a tag', async () => {
    expect((await t.api.post('/kipper-sim/v1/images/push', { image: `${image}@sha256:${'a'.repeat(64)}` })).status).toBe(422);
    expect((await t.api.post('/kipper-sim/v1/images/push', {})).status).toBe(422);
    expect((await t.api.get('/kipper-sim/v1/images/push')).status).toBe(405);
    expect((await t.api.post('/kipper-sim/v1/images/other', { image: 'x:1' })).status).toBe(404);
  });
});
