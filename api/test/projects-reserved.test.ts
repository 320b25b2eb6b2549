import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { isReservedNamespace } from '@kipper/core';
import { codeOf, count, createProject } from './helpers.js';

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
});
afterAll(async () => {
  await k?.stop();
});

describe('reserved namespaces', () => {
  it('knows default and every kube-* namespace', () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-anything']) expect(isReservedNamespace(ns)).toBe(true);
    for (const ns of ['kubernetes-test', 'shop-kube-system', 'mykube-prod', 'default-test']) expect(isReservedNamespace(ns)).toBe(false);
  });

  it('refuses projects whose namespaces Kubernetes reserves, with VALIDATION_FAILED, a clear message and nothing written', async () => {
    const before = { projects: await count(k, 'project'), environments: await count(k, 'environment'), audit: await count(k, 'audit_entry') };
    const labelsBefore = await namespaceLabels('kube-system');
    const cases = [
      { input: { name: 'kube', environments: ['system'] }, namespace: 'kube-system', field: 'name' },
      { input: { name: 'kube', environments: ['public'] }, namespace: 'kube-public', field: 'name' },
      { input: { name: 'kube', environments: ['node-lease'] }, namespace: 'kube-node-lease', field: 'name' },
      { input: { name: 'kube' }, namespace: 'kube-test', field: 'name' },
      { input: { name: 'kube-node', environments: ['lease'] }, namespace: 'kube-node-lease', field: 'name' },
      { input: { name: 'kube-x', environments: ['prod'] }, namespace: 'kube-x-prod', field: 'name' },
    ];
    for (const { input, namespace, field } of cases) {
      const res = await k.graphql('mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }', { input });
      expect(codeOf(res), JSON.stringify(input)).toBe('VALIDATION_FAILED');
      const error = res.errors![0]!;
      expect(error.message).toContain(`Namespace ${namespace}`);
      expect(error.message).toContain('reserved by Kubernetes');
      expect((error.extensions as { field?: string } | undefined)?.field ?? field).toBe(field);
    }
    expect({ projects: await count(k, 'project'), environments: await count(k, 'environment'), audit: await count(k, 'audit_entry') }).toEqual(before);
    // The cluster's own namespaces were not touched (no Kipper labels added).
    expect(await namespaceLabels('kube-system')).toEqual(labelsBefore);
    expect(labelsBefore['app.kubernetes.io/managed-by']).toBeUndefined();
    expect((await fetch(`${k.sim.url}/api/v1/namespaces/kube-x-prod`)).status).toBe(404);
  });

  it('still accepts names that merely contain kube', async () => {
    await createProject(k, 'kubernetes', ['test']);
    await createProject(k, 'mykube', ['kube']);
  });
});

async function namespaceLabels(name: string): Promise<Record<string, string>> {
  const res = await fetch(`${k.sim.url}/api/v1/namespaces/${name}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { metadata: { labels?: Record<string, string> } }).metadata.labels ?? {};
}
