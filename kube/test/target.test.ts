import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterError, connectCluster, gitContext, resolveClusterTarget } from '../src/index.js';
import { loadKubeConfig } from '../src/target.js';

const emptyHome = () => mkdtempSync(join(tmpdir(), 'kipper-home-'));

describe('resolveClusterTarget', () => {
  it('prefers KIPPER_KUBE_SERVER', () => {
    expect(resolveClusterTarget({ KIPPER_KUBE_SERVER: 'http://127.0.0.1:6443', KUBECONFIG: '/x', KIPPER_KUBE: 'sim' })).toEqual({
      kind: 'server',
      server: 'http://127.0.0.1:6443',
    });
  });

  it('KIPPER_KUBE=sim forces the simulator even with a kubeconfig', () => {
    expect(resolveClusterTarget({ KIPPER_KUBE: 'sim', KUBECONFIG: '/etc/kube.yaml' })).toEqual({ kind: 'simulator' });
  });

  it('uses KUBECONFIG, then ~/.kube/config, else the simulator', () => {
    expect(resolveClusterTarget({ KUBECONFIG: '/etc/kube.yaml', HOME: emptyHome() })).toEqual({
      kind: 'kubeconfig',
      path: '/etc/kube.yaml',
    });
    const home = emptyHome();
    expect(resolveClusterTarget({ HOME: home })).toEqual({ kind: 'simulator' });
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), 'apiVersion: v1\n');
    expect(resolveClusterTarget({ HOME: home })).toEqual({ kind: 'kubeconfig' });
    expect(resolveClusterTarget({ HOME: home, KIPPER_KUBE: 'kubeconfig' })).toEqual({ kind: 'kubeconfig' });
  });

  it('refuses KIPPER_KUBE=kubeconfig when there is no kubeconfig at all', () => {
    expect(() => resolveClusterTarget({ HOME: emptyHome(), KIPPER_KUBE: 'kubeconfig' })).toThrow(
      /KIPPER_KUBE=kubeconfig but no KUBECONFIG is set and ~\/\.kube\/config does not exist/,
    );
  });

  it('rejects an unknown KIPPER_KUBE', () => {
    expect(() => resolveClusterTarget({ KIPPER_KUBE: 'maybe' })).toThrow(/KIPPER_KUBE must be auto, sim, kubeconfig or in-cluster/);
  });

  it('uses the pod service account with KIPPER_KUBE=in-cluster: the API server from KUBERNETES_SERVICE_HOST/PORT', () => {
    expect(resolveClusterTarget({ KIPPER_KUBE: 'in-cluster', KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toEqual({ kind: 'in-cluster' });
    expect(() => resolveClusterTarget({ KIPPER_KUBE: 'in-cluster' })).toThrow(/not running in a Kubernetes pod/);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    try {
      expect(loadKubeConfig({ kind: 'in-cluster' }).getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    } finally {
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved.host;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
      else process.env.KUBERNETES_SERVICE_PORT = saved.port;
    }
  });
});

describe('connectCluster', () => {
  it('loads a kubeconfig file, and reports a missing one as CLUSTER_UNREACHABLE', () => {
    const dir = emptyHome();
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: c, cluster: { server: "https://10.0.0.1:6443" } }]',
        'users: [{ name: u, user: { token: "s3cr3t-token" } }]',
        'contexts: [{ name: x, context: { cluster: c, user: u } }]',
        'current-context: x',
      ].join('\n'),
    );
    expect(() => connectCluster({ kind: 'kubeconfig', path: file }).close()).not.toThrow();
    let err: unknown;
    try {
      connectCluster({ kind: 'kubeconfig', path: join(dir, 'nope') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClusterError);
    expect(err).toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
  });
});

describe('gitContext', () => {
  it('builds kaniko git contexts', () => {
    expect(gitContext('https://github.com/acme/web.git', 'main', 'abc123')).toBe(
      'git://github.com/acme/web.git#refs/heads/main#abc123',
    );
    expect(gitContext('git.example.com/acme/web.git', '', 'abc123')).toBe('git://git.example.com/acme/web.git#abc123');
  });
});
