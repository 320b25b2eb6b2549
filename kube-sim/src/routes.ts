import { findResource, type ResourceType } from './resources.js';
import { ApiError } from './status.js';

export interface ResourceRoute {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated /watch/ path prefix, still used by some clients. */
  watchPrefix: boolean;
}

export const pathNotFound = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

/** Maps /api/v1/... and /apis/{group}/{version}/... to a resource, or undefined for non-resource paths. */
export function parseResourcePath(pathname: string): ResourceRoute | undefined {
  const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else return undefined;

  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findResource(group, version, rest[2]!)?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const resource = plural ? findResource(group, version, plural) : undefined;
  if (!resource || extra.length > 0) throw pathNotFound();
  if (!resource.namespaced && namespace !== undefined) throw pathNotFound();
  if (resource.namespaced && name !== undefined && namespace === undefined) throw pathNotFound();
  if (subresource !== undefined && !resource.subresources.includes(subresource)) throw pathNotFound();
  return { resource, namespace, name, subresource, watchPrefix };
}
