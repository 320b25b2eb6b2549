import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterContext } from '../src/context.js';
import { loadKubeConfig } from '../src/target.js';
import { watchObject, type RawObject } from '../src/watch.js';
import { unique, useSimulatorCluster, workload } from './helpers.js';

// A tiny watch history: resourceVersions a few writes old are compacted (410 Expired).
const testbed = useSimulatorCluster({ watchHistorySize: 5 });
let ctx: ClusterContext;

beforeAll(() => {
  ctx = new ClusterContext(loadKubeConfig({ kind: 'server', server: testbed.sim.url }), { attempts: 3, baseDelayMs: 20 });
});

afterAll(() => {
  ctx?.close();
});

describe('watch resumption', () => {
  it('re-reads and re-watches after 410 Expired', async () => {
    const ns = unique('expired');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 3 }));
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v2');

    let reads = 0;
    const seen: string[] = [];
    const result = await watchObject(ctx, {
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      name: 'api',
      kind: 'Deployment',
      signal: AbortSignal.timeout(10_000),
      // The first read claims a long-compacted resourceVersion, as a watch resumed too late would.
      read: async () => {
        reads++;
        const d = await ctx.apps.readNamespacedDeployment({ name: 'api', namespace: ns });
        const raw = JSON.parse(JSON.stringify(d)) as RawObject;
        if (reads === 1) raw.metadata = { ...raw.metadata, resourceVersion: '1', generation: generation + 1 };
        return raw;
      },
      decide: (d) => {
        seen.push(d.metadata?.resourceVersion ?? '');
        const status = d.status as { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
        const done = (status.observedGeneration ?? 0) >= generation && status.updatedReplicas === 3 && status.availableReplicas === 3;
        return done && reads > 1 ? 'done' : undefined;
      },
    });
    expect(result).toBe('done');
    expect(reads).toBeGreaterThanOrEqual(2); // with 5 events of history, a re-read can expire again
    expect(await testbed.cluster.readImage(ns, 'api')).toBe('registry.example.com/api:v2');
  });

  it('followRollout ends correctly when started long after the change (history compacted)', async () => {
    const ns = unique('late');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 2 }));
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v3');
    // Unrelated writes push the history past its 5 entries.
    for (let i = 0; i < 8; i++) await testbed.cluster.writeWebhookToken(ns, 'api', String(i).repeat(64));
    const progress: number[] = [];
    const outcome = await testbed.cluster.followRollout(ns, 'api', {
      minGeneration: generation,
      timeoutMs: 10_000,
      onProgress: (p) => progress.push(p.updated),
    });
    expect(outcome).toEqual({ ok: true });
    expect(progress.at(-1)).toBe(2);
  });
});
