/** The resource types the simulator serves; discovery and routing both read this table. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  subresources: string[];
  /** Resources whose spec changes bump metadata.generation (controllers compare it with observedGeneration). */
  hasGeneration: boolean;
  categories?: string[];
}

const r = (
  group: string,
  plural: string,
  kind: string,
  opts: Partial<Omit<ResourceType, 'group' | 'plural' | 'kind'>> = {},
): ResourceType => ({
  group,
  version: 'v1',
  plural,
  kind,
  singular: kind.toLowerCase(),
  namespaced: true,
  shortNames: [],
  subresources: [],
  hasGeneration: false,
  ...opts,
});

export const RESOURCES: ResourceType[] = [
  r('', 'namespaces', 'Namespace', { namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  r('', 'pods', 'Pod', { shortNames: ['po'], subresources: ['status', 'log'], categories: ['all'] }),
  r('', 'services', 'Service', { shortNames: ['svc'], subresources: ['status'], categories: ['all'] }),
  r('', 'secrets', 'Secret'),
  r('', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  r('', 'events', 'Event', { shortNames: ['ev'] }),
  r('apps', 'deployments', 'Deployment', {
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
    categories: ['all'],
  }),
  r('apps', 'replicasets', 'ReplicaSet', {
    shortNames: ['rs'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
    categories: ['all'],
  }),
  r('batch', 'jobs', 'Job', { subresources: ['status'], hasGeneration: true, categories: ['all'] }),
  r('networking.k8s.io', 'ingresses', 'Ingress', { shortNames: ['ing'], subresources: ['status'], hasGeneration: true }),
  // Stored as they are, with no controller: what deploy/kubernetes/ installs Kipper with.
  r('', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
  r('', 'persistentvolumeclaims', 'PersistentVolumeClaim', { shortNames: ['pvc'], subresources: ['status'] }),
  r('apps', 'statefulsets', 'StatefulSet', { shortNames: ['sts'], subresources: ['status'], hasGeneration: true, categories: ['all'] }),
  r('policy', 'poddisruptionbudgets', 'PodDisruptionBudget', { shortNames: ['pdb'], subresources: ['status'], hasGeneration: true }),
  r('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', { namespaced: false }),
  r('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', { namespaced: false }),
  r('rbac.authorization.k8s.io', 'roles', 'Role'),
  r('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding'),
];

export const GROUPS = ['', 'apps', 'batch', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io'];

export const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function resourceByKind(kind: string): ResourceType {
  const found = RESOURCES.find((t) => t.kind === kind);
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}
