import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@kipper/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_DIR, hasKubectl, render, simulatorKubectl } from '../support/kustomize.js';

/**
 * deploy/kubernetes/ as an operator uses it: `kubectl kustomize` renders each overlay, and the
 * trial overlay applied with kubectl to the Kubernetes API simulator gives the objects Kipper
 * needs to run with replicas (and rolls its Deployments out there).
 */
// Loose typing on purpose: the test reads arbitrary Kubernetes JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.skipIf(!hasKubectl)('deploy/kubernetes (needs /usr/bin/kubectl)', () => {
  let sim: Simulator;
  let k: ReturnType<typeof simulatorKubectl>;
  let applied: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    sim = await startSimulator({ rolloutStepMs: 20 });
    k = simulatorKubectl(sim.url);
    applied = await k.apply(await render(join(DEPLOY_DIR, 'overlays/trial')));
  });
  afterAll(async () => {
    k?.close();
    await sim?.close();
  });

  it('kubectl applies the trial overlay to a cluster without an error', () => {
    expect(applied.code, applied.stderr).toBe(0);
    for (const line of [
      'namespace/kipper',
      'serviceaccount/kipper',
      'clusterrole.rbac.authorization.k8s.io/kipper',
      'clusterrolebinding.rbac.authorization.k8s.io/kipper',
      'deployment.apps/kipper-api',
      'deployment.apps/kipper-worker',
      'statefulset.apps/kipper-postgres',
      'statefulset.apps/kipper-redis',
      'service/kipper-api',
      'ingress.networking.k8s.io/kipper',
      'poddisruptionbudget.policy/kipper-api',
      'poddisruptionbudget.policy/kipper-worker',
    ]) {
      expect(applied.stdout).toContain(`${line} created`);
    }
  });

  it('runs two api and two worker replicas as the kipper service account, probed, with requests, not as root', async () => {
    const deployments: Json = await k.get(['deployments', '-n', 'kipper']);
    const byName = new Map<string, Json>(deployments.items.map((d: Json) => [d.metadata.name, d]));
    for (const [name, port, command] of [
      ['kipper-api', 8080, 'api/dist/main.js'],
      ['kipper-worker', 8081, 'worker/dist/main.js'],
    ] as const) {
      const d = byName.get(name);
      expect(d, name).toBeDefined();
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.strategy.rollingUpdate).toMatchObject({ maxUnavailable: 0 });
      const pod = d.spec.template.spec;
      expect(pod.serviceAccountName).toBe('kipper');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      const [container] = pod.containers;
      expect(container.command).toEqual(['node', command]);
      expect(container.image).toMatch(/^kipper:/);
      expect(container.ports[0]).toMatchObject({ name: 'http', containerPort: port });
      expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
      expect(container.startupProbe.httpGet).toMatchObject({ path: '/healthz' });
      expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      // The simulator's deployment controller rolls them out as a cluster would.
      const done = await k.run(['rollout', 'status', `deployment/${name}`, '-n', 'kipper', '--timeout=30s']);
      expect(done.code, done.stderr).toBe(0);
    }
  });

  it('gives the pods their settings: every Secret key and ConfigMap they name exists, the cluster is the in-cluster one', async () => {
    const secrets: Json = await k.get(['secrets', '-n', 'kipper']);
    const configMaps: Json = await k.get(['configmaps', '-n', 'kipper']);
    const workloads = [...(await k.get<Json>(['deployments', '-n', 'kipper'])).items, ...(await k.get<Json>(['statefulsets', '-n', 'kipper'])).items];
    for (const workload of workloads) {
      for (const container of workload.spec.template.spec.containers) {
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref || ref.optional) continue;
          const secret = secrets.items.find((s: Json) => s.metadata.name === ref.name);
          expect(secret?.data?.[ref.key], `${workload.metadata.name}: ${env.name} from ${ref.name}/${ref.key}`).toBeDefined();
        }
        for (const from of container.envFrom ?? []) {
          const map = configMaps.items.find((c: Json) => c.metadata.name === from.configMapRef.name);
          expect(map, `${workload.metadata.name}: ConfigMap ${from.configMapRef.name}`).toBeDefined();
          expect(map.data).toMatchObject({ KIPPER_KUBE: 'in-cluster', KIPPER_HOST: '0.0.0.0', KIPPER_PUBLIC_URL: 'http://kipper.localhost' });
        }
      }
    }
    const secret = secrets.items.find((s: Json) => s.metadata.name.startsWith('kipper-'));
    expect(Buffer.from(secret.data['database-url'], 'base64').toString()).toBe('postgres://kipper:kipper-trial@kipper-postgres:5432/kipper');
    expect(Buffer.from(secret.data['redis-url'], 'base64').toString()).toBe('redis://kipper-redis:6379');
  });

  it('routes the Ingress to the api Service, whose selector finds the api pods; the budgets keep one of each', async () => {
    const ingress: Json = await k.get(['ingress', 'kipper', '-n', 'kipper']);
    const rule = ingress.spec.rules[0];
    expect(rule.host).toBe('kipper.localhost');
    const backend = rule.http.paths[0].backend.service;
    const service: Json = await k.get(['service', backend.name, '-n', 'kipper']);
    expect(service.spec.ports.map((p: Json) => p.name)).toContain(backend.port.name);
    const pods: Json = await k.get(['pods', '-n', 'kipper']);
    const apiPods = pods.items.filter((p: Json) => matches(service.spec.selector, p.metadata.labels));
    expect(apiPods.length).toBe(2);
    expect(apiPods.every((p: Json) => p.spec.containers[0].command[1] === 'api/dist/main.js')).toBe(true);

    const budgets: Json = await k.get(['poddisruptionbudgets', '-n', 'kipper']);
    for (const component of ['api', 'worker']) {
      const budget = budgets.items.find((b: Json) => b.metadata.name === `kipper-${component}`);
      expect(budget.spec.minAvailable).toBe(1);
      const covered = pods.items.filter((p: Json) => matches(budget.spec.selector.matchLabels, p.metadata.labels));
      expect(covered.length, component).toBe(2);
      expect(covered.every((p: Json) => p.metadata.labels['app.kubernetes.io/component'] === component)).toBe(true);
    }
  });

  it('binds the ClusterRole to the service account, with no wildcard and nothing cluster-wide but namespaces', async () => {
    const binding: Json = await k.get(['clusterrolebinding', 'kipper']);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kipper' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kipper', namespace: 'kipper' }]);
    const role: Json = await k.get(['clusterrole', 'kipper']);
    const served: Json = await k.run(['api-resources', '-o', 'name', '--namespaced=false']);
    const clusterScoped = new Set(served.stdout.trim().split('\n').map((name: string) => name.split('.')[0]));
    expect(clusterScoped).toContain('namespaces');
    for (const rule of role.rules) {
      expect(rule.nonResourceURLs).toBeUndefined();
      for (const field of ['apiGroups', 'resources', 'verbs']) expect(rule[field], JSON.stringify(rule)).not.toContain('*');
      for (const resource of rule.resources) {
        if (clusterScoped.has(resource.split('/')[0])) expect(resource).toBe('namespaces');
      }
      if (rule.resources.includes('secrets')) expect(rule.verbs).not.toContain('watch');
    }
  });

  it('renders the external overlay with the operator’s own connection settings and no database of its own', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'kipper-deploy-'));
    try {
      cpSync(DEPLOY_DIR, copy, { recursive: true });
      const overlay = join(copy, 'overlays/external');
      // Without kipper.env the render fails, rather than applying placeholders.
      await expect(render(overlay)).rejects.toThrow(/kipper\.env/);
      cpSync(join(overlay, 'kipper.env.example'), join(overlay, 'kipper.env'));
      const yaml = await render(overlay);
      expect(yaml).not.toMatch(/kind: StatefulSet/);
      const encoded = /database-url: \|\n((?: {4}\S+\n)+)/.exec(yaml)?.[1]?.replace(/\s/g, '') ?? '';
      expect(Buffer.from(encoded, 'base64').toString()).toBe('postgres://kipper:CHANGE-ME@postgres.internal.example:5432/kipper?sslmode=require');
      expect(yaml.match(/^kind: Deployment$/gm)).toHaveLength(2);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
