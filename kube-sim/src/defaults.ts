import type { ResourceType } from './resources.js';
import { isObject, type JsonObject, type KubeObject } from './types.js';

let nextServiceIp = 1;

function ensure(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function defaultPodSpec(spec: JsonObject) {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  if (Array.isArray(spec.containers)) {
    for (const c of spec.containers) {
      if (!isObject(c)) continue;
      c.imagePullPolicy ??= typeof c.image === 'string' && c.image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
    }
  }
}

/** Defaults the API server fills in on create, limited to what clients and kubectl read back. */
export function applyCreateDefaults(resource: ResourceType, object: KubeObject): void {
  const spec = (object.spec ??= {});
  switch (resource.kind) {
    case 'Namespace':
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name! };
      spec.finalizers ??= ['kubernetes'];
      object.status = { phase: 'Active' };
      break;
    case 'Deployment': {
      spec.replicas ??= 1;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      const template = ensure(spec, 'template');
      ensure(template, 'metadata');
      defaultPodSpec(ensure(template, 'spec'));
      object.status = {};
      break;
    }
    case 'ReplicaSet':
      spec.replicas ??= 1;
      object.status = { replicas: 0 };
      break;
    case 'Job': {
      const uid = object.metadata.uid!;
      const name = object.metadata.name!;
      spec.parallelism ??= 1;
      spec.completions ??= 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= 'NonIndexed';
      spec.suspend ??= false;
      spec.manualSelector ??= false;
      const jobLabels = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid,
        'job-name': name,
      };
      spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      const template = ensure(spec, 'template');
      const meta = ensure(template, 'metadata');
      meta.labels = { ...(isObject(meta.labels) ? meta.labels : {}), ...jobLabels };
      const podSpec = ensure(template, 'spec');
      podSpec.restartPolicy ??= 'Never';
      defaultPodSpec(podSpec);
      object.status = {};
      break;
    }
    case 'Service':
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.clusterIP === undefined) {
        const n = nextServiceIp++;
        spec.clusterIP = `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
        spec.clusterIPs = [spec.clusterIP];
      }
      object.status = { loadBalancer: {} };
      break;
    case 'Pod':
      defaultPodSpec(spec);
      object.status ??= { phase: 'Pending' };
      break;
    case 'Secret':
    case 'ConfigMap':
    case 'Event':
      delete object.spec;
      break;
    case 'Ingress':
      object.status = { loadBalancer: {} };
      break;
  }
  if (resource.kind === 'Secret') normalizeSecret(object);
}

/** stringData is write-only: the API server folds it into base64 data. */
export function normalizeSecret(object: KubeObject): void {
  object.type ??= 'Opaque';
  const stringData = object.stringData;
  if (isObject(stringData)) {
    const data: JsonObject = isObject(object.data) ? object.data : {};
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    object.data = data;
  }
  delete object.stringData;
}
