import { describe, expect, it } from 'vitest';
import type { BuildJobSpec } from '../src/index.js';
import { unique, useSimulatorCluster } from './helpers.js';

const testbed = useSimulatorCluster();

const spec = (namespace: string, overrides: Partial<BuildJobSpec> = {}): BuildJobSpec => ({
  namespace,
  app: 'web',
  buildNumber: 1,
  builderImage: 'gcr.io/kaniko-project/executor:latest',
  gitUrl: 'https://git.example.com/acme/web.git',
  gitBranch: 'main',
  commit: '3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b',
  dockerfilePath: 'Dockerfile',
  destination: 'registry.kipper.local/shop-test/web:3f2a9c1',
  ...overrides,
});

describe('build jobs on the simulator', () => {
  it('runs a build, delivering its log lines in order, and reports success', async () => {
    const ns = unique('build');
    await testbed.cluster.ensureNamespace(ns);
    const { jobName } = await testbed.cluster.startBuild(spec(ns));
    expect(jobName).toBe('web-build-1');
    const lines: string[] = [];
    const outcome = await testbed.cluster.followBuild(ns, jobName, { onLog: (l) => lines.push(l) });
    expect(outcome).toEqual({ ok: true });
    // The simulator echoes the container's command line first: the kaniko arguments went in.
    expect(lines[0]).toBe(
      '+ --context=git://git.example.com/acme/web.git#refs/heads/main#3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b ' +
        '--dockerfile=Dockerfile --destination=registry.kipper.local/shop-test/web:3f2a9c1',
    );
    expect(lines.slice(1)).toEqual([
      '[kube-sim] step 1/3: working',
      '[kube-sim] step 2/3: working',
      '[kube-sim] step 3/3: working',
      'done: completed successfully',
    ]);

    // A restarted worker re-attaches: same job, full outcome, lines it already has skipped.
    expect(await testbed.cluster.startBuild(spec(ns))).toEqual({ jobName });
    const again: string[] = [];
    expect(await testbed.cluster.followBuild(ns, jobName, { onLog: (l) => again.push(l), skipLines: 3 })).toEqual({ ok: true });
    expect(again).toEqual(lines.slice(3));
  });

  it('reports a failed build with BackoffLimitExceeded (sim-fail commit) and its log', async () => {
    const ns = unique('buildfail');
    await testbed.cluster.ensureNamespace(ns);
    const { jobName } = await testbed.cluster.startBuild(spec(ns, { commit: 'sim-fail', buildNumber: 7, gitBranch: '' }));
    expect(jobName).toBe('web-build-7');
    const lines: string[] = [];
    const outcome = await testbed.cluster.followBuild(ns, jobName, { onLog: (l) => lines.push(l) });
    expect(outcome).toMatchObject({ ok: false, reason: 'BackoffLimitExceeded' });
    expect(outcome.ok === false && outcome.message.length).toBeGreaterThan(0);
    expect(lines[0]).toContain('--context=git://git.example.com/acme/web.git#sim-fail');
    expect(lines.at(-1)).toBe('error: build failed (simulated)');
  });

  it('follows builds in parallel, each getting only its own lines', async () => {
    const ns = unique('par');
    await testbed.cluster.ensureNamespace(ns);
    const runs = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const { jobName } = await testbed.cluster.startBuild(spec(ns, { buildNumber: n, destination: `r/web:${n}` }));
        const lines: string[] = [];
        const outcome = await testbed.cluster.followBuild(ns, jobName, { onLog: (l) => lines.push(l) });
        return { n, outcome, lines };
      }),
    );
    for (const run of runs) {
      expect(run.outcome).toEqual({ ok: true });
      expect(run.lines[0]).toContain(`--destination=r/web:${run.n}`);
      expect(run.lines).toHaveLength(5);
    }
  });

  it('deleteApp removes build jobs; following a missing job is CLUSTER_NOT_FOUND', async () => {
    const ns = unique('gone');
    await testbed.cluster.ensureNamespace(ns);
    const { jobName } = await testbed.cluster.startBuild(spec(ns, { buildNumber: 3 }));
    await testbed.cluster.deleteApp(ns, 'web');
    await expect(testbed.cluster.followBuild(ns, jobName, {})).rejects.toMatchObject({ code: 'CLUSTER_NOT_FOUND' });
  });

  it('stops following when aborted', async () => {
    const ns = unique('stop');
    await testbed.cluster.ensureNamespace(ns);
    const { jobName } = await testbed.cluster.startBuild(spec(ns, { buildNumber: 9 }));
    const controller = new AbortController();
    const pending = testbed.cluster.followBuild(ns, jobName, { signal: controller.signal });
    controller.abort(new Error('worker shutting down'));
    await expect(pending).rejects.toThrow('worker shutting down');
  });
});
