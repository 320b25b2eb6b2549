import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { deployment, startTestSimulator, type Client } from './helpers.js';

const KUBECTL = '/usr/bin/kubectl';
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`kube-sim kubectl tests skipped: ${KUBECTL} is not installed`);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!hasKubectl)('kubectl against the simulator (needs /usr/bin/kubectl)', () => {
  let sim: Simulator;
  let api: Client;
  let cacheDir: string;

  beforeAll(async () => {
    ({ sim, api } = await startTestSimulator());
    cacheDir = mkdtempSync(join(tmpdir(), 'kube-sim-kubectl-'));
  });
  afterAll(async () => {
    await sim.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  // An empty kubeconfig and a private discovery cache keep the user's own setup out of the test.
  const kubectl = (...args: string[]) =>
    new Promise<Result>((resolve) => {
      execFile(
        KUBECTL,
        ['--kubeconfig=/dev/null', `--cache-dir=${cacheDir}`, `--server=${sim.url}`, '-n', 'default', ...args],
        { timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  it('gets deployments as a table and as JSON', async () => {
    await api.post('/apis/apps/v1/namespaces/default/deployments', deployment('web', 'nginx:1.25', { replicas: 2 }));
    const done = await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s');
    expect(done.code, done.stderr).toBe(0);

    const table = await kubectl('get', 'deployments');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table.stdout).toMatch(/web\s+2\/2\s+2\s+2\s+/);

    const json = await kubectl('get', 'deploy', 'web', '-o', 'json');
    expect(json.code, json.stderr).toBe(0);
    const object = JSON.parse(json.stdout);
    expect(object).toMatchObject({ kind: 'Deployment', metadata: { name: 'web' }, status: { availableReplicas: 2 } });
  });

  it('describes a deployment with its replica set and events', async () => {
    const res = await kubectl('describe', 'deployment', 'web');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Name:\s+web/);
    expect(res.stdout).toMatch(/NewReplicaSet:\s+web-[a-z0-9]+ \(2\/2 replicas created\)/);
    expect(res.stdout).toMatch(/Progressing\s+True\s+NewReplicaSetAvailable/);
    expect(res.stdout).toContain('ScalingReplicaSet');
  });

  it('set image rolls out and rollout status reports success', async () => {
    const set = await kubectl('set', 'image', 'deployment/web', 'app=nginx:1.26');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('image updated');
    const status = await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('successfully rolled out');
    const image = (await api.get('/apis/apps/v1/namespaces/default/deployments/web')).body.spec.template.spec.containers[0].image;
    expect(image).toBe('nginx:1.26');
  });

  it('rollout status fails with the progress deadline message for a failing image', async () => {
    await api.post(
      '/apis/apps/v1/namespaces/default/deployments',
      deployment('broken', 'nginx:1.25', { replicas: 2, progressDeadlineSeconds: 1 }),
    );
    expect((await kubectl('rollout', 'status', 'deployment/broken', '--timeout=20s')).code).toBe(0);
    expect((await kubectl('set', 'image', 'deployment/broken', 'app=nginx:sim-fail')).code).toBe(0);
    const status = await kubectl('rollout', 'status', 'deployment/broken', '--timeout=20s');
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('deployment "broken" exceeded its progress deadline');
  });
});
