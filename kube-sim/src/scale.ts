import type { Objects } from './objects.js';
import type { ResourceType } from './resources.js';
import { badRequest } from './status.js';
import { isObject, type KubeObject } from './types.js';

function selectorString(selector: unknown): string {
  const labels = isObject(selector) && isObject(selector.matchLabels) ? selector.matchLabels : {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

/** The autoscaling/v1 Scale view of a deployment or replica set (kubectl scale uses it). */
export function getScale(object: KubeObject) {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: object.spec?.replicas ?? 0 },
    status: { replicas: object.status?.replicas ?? 0, selector: selectorString(object.spec?.selector) },
  };
}

export function updateScale(
  objects: Objects,
  resource: ResourceType,
  namespace: string | undefined,
  name: string,
  scale: unknown,
  dryRun: boolean,
) {
  const replicas = isObject(scale) && isObject(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || replicas < 0) throw badRequest('spec.replicas must be a non-negative integer');
  const rv = isObject(scale) && isObject(scale.metadata) ? scale.metadata.resourceVersion : undefined;
  const current = objects.get(resource, namespace, name);
  const updated = objects.update(
    resource,
    namespace,
    name,
    { ...current, metadata: { ...current.metadata, resourceVersion: rv ?? current.metadata.resourceVersion }, spec: { ...current.spec, replicas } },
    undefined,
    { dryRun },
  );
  return getScale(updated);
}
