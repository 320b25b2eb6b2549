import type { ResourceType } from './resources.js';
import { invalid } from './status.js';
import { isObject, type KubeObject } from './types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function nameProblem(resource: ResourceType, name: string): string | undefined {
  // Namespaces and services become DNS labels, so they get the stricter rules the API server applies.
  if (resource.plural === 'services') {
    if (name.length > 63 || !DNS1035_LABEL.test(name))
      return `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`;
  } else if (resource.plural === 'namespaces') {
    if (name.length > 63 || !DNS1123_LABEL.test(name))
      return `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** The minimum validation clients depend on: names, and the fields controllers cannot work without. */
export function validate(resource: ResourceType, object: KubeObject): void {
  const name = object.metadata.name ?? '';
  const causes: { field: string; message: string }[] = [];
  if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
  else {
    const problem = nameProblem(resource, name);
    if (problem) causes.push({ field: 'metadata.name', message: problem });
  }
  const spec = object.spec;
  if (resource.kind === 'Deployment' || resource.kind === 'ReplicaSet') {
    if (!isObject(spec?.selector)) causes.push({ field: 'spec.selector', message: 'Required value' });
    if (!isObject(spec?.template)) causes.push({ field: 'spec.template', message: 'Required value' });
    else if (!Array.isArray((spec.template.spec as { containers?: unknown } | undefined)?.containers))
      causes.push({ field: 'spec.template.spec.containers', message: 'Required value' });
  }
  if (resource.kind === 'Job') {
    if (!isObject(spec?.template)) causes.push({ field: 'spec.template', message: 'Required value' });
  }
  if (resource.kind === 'Pod' && !Array.isArray(spec?.containers)) {
    causes.push({ field: 'spec.containers', message: 'Required value' });
  }
  if (causes.length > 0) throw invalid(resource, name, causes);
}
