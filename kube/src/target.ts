import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors.js';

/** Where the cluster is: an API server URL without auth (the simulator), or a kubeconfig. */
export type ClusterTarget = { kind: 'server'; server: string } | { kind: 'kubeconfig'; path?: string } | { kind: 'in-cluster' };

/** No cluster configured: the caller starts the built-in Kubernetes API simulator. */
export type ClusterChoice = ClusterTarget | { kind: 'simulator' };

/**
 * KIPPER_KUBE_SERVER wins; KIPPER_KUBE=sim asks for the built-in simulator; KIPPER_KUBE=kubeconfig
 * forces a kubeconfig; KIPPER_KUBE=in-cluster uses the pod's service account (deploy/kubernetes/ sets it); otherwise (auto) KUBECONFIG or ~/.kube/config when present, else the simulator.
 */
export function resolveClusterTarget(env: NodeJS.ProcessEnv): ClusterChoice {
  const server = env.KIPPER_KUBE_SERVER?.trim();
  if (server) return { kind: 'server', server };
  const mode = (env.KIPPER_KUBE ?? '').trim() || 'auto';
  if (mode !== 'auto' && mode !== 'sim' && mode !== 'kubeconfig' && mode !== 'in-cluster') {
    throw new ClusterError('CLUSTER_INVALID', `KIPPER_KUBE must be auto, sim, kubeconfig or in-cluster (got "${mode}")`);
  }
  if (mode === 'sim') return { kind: 'simulator' };
  if (mode === 'in-cluster') {
    if (!env.KUBERNETES_SERVICE_HOST?.trim()) {
      throw new ClusterError('CLUSTER_INVALID', 'KIPPER_KUBE=in-cluster but KUBERNETES_SERVICE_HOST is not set: Kipper is not running in a Kubernetes pod');
    }
    return { kind: 'in-cluster' };
  }
  const kubeconfig = env.KUBECONFIG?.trim();
  if (kubeconfig) return { kind: 'kubeconfig', path: kubeconfig };
  const home = env.HOME?.trim() || homedir();
  if (existsSync(join(home, '.kube', 'config'))) return { kind: 'kubeconfig' };
  if (mode === 'kubeconfig') {
    throw new ClusterError('CLUSTER_INVALID', 'KIPPER_KUBE=kubeconfig but no KUBECONFIG is set and ~/.kube/config does not exist');
  }
  return { kind: 'simulator' };
}

/** Where a choice points, for start-up lines (never credentials). */
export function describeClusterChoice(choice: ClusterChoice): string {
  switch (choice.kind) {
    case 'server':
      return choice.server;
    case 'kubeconfig':
      return `kubeconfig ${choice.path ?? '~/.kube/config'}`;
    case 'simulator':
      return 'the built-in Kubernetes simulator';
    case 'in-cluster':
      return 'this cluster (in-cluster service account)';
  }
}

/** The server URL without credentials, for messages. */
export function describeServer(kc: KubeConfig): string {
  const server = kc.getCurrentCluster()?.server ?? 'unknown server';
  try {
    const url = new URL(server);
    return url.origin;
  } catch {
    return 'invalid server URL';
  }
}

/** Loads a KubeConfig for a target; a missing or broken kubeconfig is CLUSTER_UNREACHABLE. */
export function loadKubeConfig(target: ClusterTarget): KubeConfig {
  const kc = new KubeConfig();
  if (target.kind === 'server') {
    let url: URL;
    try {
      url = new URL(target.server);
    } catch {
      throw new ClusterError('CLUSTER_INVALID', `invalid Kubernetes API server URL`);
    }
    // client-node refuses plain http unless TLS verification is "skipped"; there is no TLS to verify.
    const plainHttp = url.protocol === 'http:';
    kc.loadFromOptions({
      clusters: [{ name: 'kipper', server: target.server.replace(/\/+$/, ''), skipTLSVerify: plainHttp }],
      users: [{ name: 'kipper' }],
      contexts: [{ name: 'kipper', cluster: 'kipper', user: 'kipper' }],
      currentContext: 'kipper',
    });
    return kc;
  }
  if (target.kind === 'in-cluster') {
    // The pod's service account token, CA and KUBERNETES_SERVICE_HOST/PORT; the token file is re-read as it rotates.
    kc.loadFromCluster();
    return kc;
  }
  const files = (target.path ?? '').split(process.platform === 'win32' ? ';' : ':').filter((f) => f);
  try {
    if (files.length === 0) {
      const home = process.env.HOME?.trim() || homedir();
      files.push(join(home, '.kube', 'config'));
    }
    kc.loadFromFile(files[0]!);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      kc.mergeConfig(more, Boolean(kc.currentContext)); // like kubectl: the first current-context wins
    }
  } catch (err) {
    const why = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable or invalid';
    throw new ClusterError('CLUSTER_UNREACHABLE', `cannot load kubeconfig ${files.join(', ')}: ${why}`);
  }
  if (!kc.getCurrentCluster()) {
    throw new ClusterError('CLUSTER_UNREACHABLE', `kubeconfig ${files.join(', ')} has no current cluster`);
  }
  return kc;
}
