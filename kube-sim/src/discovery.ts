import { apiVersionOf, GROUPS, RESOURCES, type ResourceType } from './resources.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kipper-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const SERVER_ADDRESS = [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }];

export const coreVersions = () => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: SERVER_ADDRESS,
});

export function groupList() {
  const groups = GROUPS.filter((g) => g !== '').map((name) => {
    const gv = { groupVersion: `${name}/v1`, version: 'v1' };
    return { name, versions: [gv], preferredVersion: gv };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function subresourceVerbs(sub: string): string[] {
  if (sub === 'log') return ['get'];
  return ['get', 'patch', 'update'];
}

function entries(t: ResourceType) {
  const main = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.kind === 'Namespace' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
    ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    ...(t.categories ? { categories: t.categories } : {}),
    storageVersionHash: Buffer.from(t.kind).toString('base64').slice(0, 11),
  };
  const subs = t.subresources.map((sub) => ({
    name: `${t.plural}/${sub}`,
    singularName: '',
    namespaced: t.namespaced,
    kind: sub === 'scale' ? 'Scale' : sub === 'log' ? 'Pod' : t.kind,
    ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
    verbs: subresourceVerbs(sub),
  }));
  return [main, ...subs];
}

/** The legacy APIResourceList for one group version, or undefined for versions not served. */
export function resourceList(group: string, version: string) {
  const types = RESOURCES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(types[0]!),
    resources: types.flatMap(entries),
  };
}
