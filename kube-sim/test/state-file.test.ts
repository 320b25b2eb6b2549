import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployment, DEPLOYMENTS, startTestSimulator, waitFor, type Json } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kube-sim-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('state file (KIPPER_SIM_STATE)', () => {
  it('keeps namespaces, Deployments and Secrets across a restart, like a real cluster', async () => {
    const statePath = join(dir, 'cluster.json');
    const first = await startTestSimulator({ statePath });
    await first.api.post('/api/v1/namespaces', { metadata: { name: 'shop-prod' } });
    expect((await first.api.post('/apis/apps/v1/namespaces/shop-prod/deployments', deployment('web', 'nginx:1.25'))).status).toBe(201);
    await first.api.post('/api/v1/namespaces/shop-prod/secrets', { metadata: { name: 'hook' }, stringData: { secret: 's3cret' } });
    await waitFor(async () => (await first.api.get('/apis/apps/v1/namespaces/shop-prod/deployments/web')).body.status?.readyReplicas === 3, 5000, 'rollout');
    const before: Json = (await first.api.get('/apis/apps/v1/namespaces/shop-prod/deployments/web')).body;
    await first.sim.close();

    const second = await startTestSimulator({ statePath });
    try {
      const after: Json = (await second.api.get('/apis/apps/v1/namespaces/shop-prod/deployments/web')).body;
      expect(after.metadata.uid).toBe(before.metadata.uid);
      expect(after.spec.template.spec.containers[0].image).toBe('nginx:1.25');
      expect(after.status.readyReplicas).toBe(3);
      const secret: Json = (await second.api.get('/api/v1/namespaces/shop-prod/secrets/hook')).body;
      expect(Buffer.from(secret.data.secret, 'base64').toString()).toBe('s3cret');
      expect((await second.api.get('/api/v1/namespaces/default')).status).toBe(200);
      // Writes continue from the saved resourceVersion, so clients never see it go backwards.
      const created = await second.api.post(DEPLOYMENTS, deployment('api', 'nginx:1.26'));
      expect(Number(created.body.metadata.resourceVersion)).toBeGreaterThan(Number(after.metadata.resourceVersion));
      // A watch from before the restart is told to relist (410), as after an etcd compaction.
      const watch = await fetch(`${second.sim.url}${DEPLOYMENTS}?watch=true&resourceVersion=1`);
      expect(await watch.text()).toMatch(/"code":410/);
    } finally {
      await second.sim.close();
    }
  });

  it('saves shortly after a change, before any stop, into a file replaced whole', async () => {
    const statePath = join(dir, 'debounced.json');
    const { sim, api } = await startTestSimulator({ statePath });
    try {
      await api.post('/api/v1/namespaces', { metadata: { name: 'later' } });
      await waitFor(async () => {
        try {
          return readFileSync(statePath, 'utf8').includes('"later"');
        } catch {
          return false;
        }
      }, 3000, 'the state file to hold the namespace');
    } finally {
      await sim.close();
    }
  });

  it('refuses a damaged state file with a message naming it, instead of starting empty', async () => {
    const statePath = join(dir, 'damaged.json');
    writeFileSync(statePath, '{"revision": 3, "objects": [');
    await expect(startTestSimulator({ statePath })).rejects.toThrow(`the simulator's state file ${statePath} is not readable`);
  });
});
