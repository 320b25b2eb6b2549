import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { applyCreateDefaults, normalizeSecret } from './defaults.js';
import { randomSuffix } from './names.js';
import { applyPatch, type PatchType } from './patch.js';
import { apiVersionOf, resourceByKind, RESOURCES, type ResourceType } from './resources.js';
import type { Selector } from './selectors.js';
import { alreadyExists, ApiError, badRequest, conflict, notFound } from './status.js';
import type { Store } from './store.js';
import { clone, isObject, now, type KubeObject } from './types.js';
import { validate } from './validation.js';

export interface WriteOptions {
  dryRun?: boolean;
  /** Controllers create pods with their status already set; clients never can. */
  keepStatus?: boolean;
}

const NAMESPACES = resourceByKind('Namespace');

/**
 * The API server's write semantics on top of the store: defaults, validation, optimistic
 * concurrency, generation bumps and garbage collection. HTTP handlers and controllers share it.
 */
export class Objects {
  constructor(readonly store: Store) {}

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(resource, namespace, name);
    if (!found) throw notFound(resource, name);
    return found;
  }

  find(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(resource, namespace, name);
  }

  list(resource: ResourceType, namespace: string | undefined, selector: Selector = () => true): KubeObject[] {
    return this.store.list(resource, namespace).filter(selector);
  }

  create(resource: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): KubeObject {
    const object = this.checkBody(resource, body);
    const meta = object.metadata;
    if (resource.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace ?? meta.namespace ?? 'default';
      if (!this.store.get(NAMESPACES, undefined, meta.namespace)) throw notFound(NAMESPACES, meta.namespace);
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    validate(resource, object);
    if (this.store.get(resource, meta.namespace, meta.name!)) throw alreadyExists(resource, meta.name!);
    delete meta.resourceVersion;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    if (resource.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    const status = object.status;
    applyCreateDefaults(resource, object);
    if (opts.keepStatus && status !== undefined) object.status = status;
    return opts.dryRun ? object : this.store.put(resource, object);
  }

  /** PUT semantics; `subresource: 'status'` changes only status, the main resource never does. */
  update(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource?: 'status',
    opts: WriteOptions = {},
  ): KubeObject {
    const existing = this.get(resource, namespace, name);
    const incoming = this.checkBody(resource, body);
    if (incoming.metadata.name && incoming.metadata.name !== name)
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    if (resource.namespaced && incoming.metadata.namespace && incoming.metadata.namespace !== namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const rv = incoming.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) throw conflict(resource, name);

    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...clone(existing), status: incoming.status ?? {} };
    } else {
      next = incoming;
      next.metadata = {
        ...incoming.metadata,
        name,
        namespace: existing.metadata.namespace,
        uid: existing.metadata.uid,
        creationTimestamp: existing.metadata.creationTimestamp,
        generation: existing.metadata.generation,
      };
      if (!resource.namespaced) delete next.metadata.namespace;
      if (next.metadata.generation === undefined) delete next.metadata.generation;
      // Status belongs to controllers: the main resource keeps the stored status.
      if (resource.subresources.includes('status')) {
        if (existing.status === undefined) delete next.status;
        else next.status = existing.status;
      }
      if (resource.kind === 'Secret') normalizeSecret(next);
      validate(resource, next);
      if (resource.hasGeneration && !isDeepStrictEqual(existing.spec, next.spec))
        next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    // A write that changes nothing is a no-op in Kubernetes: same resourceVersion, no watch event.
    if (isDeepStrictEqual(next, existing) || opts.dryRun) return next;
    return this.store.put(resource, next);
  }

  patch(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource?: 'status',
    opts: WriteOptions = {},
  ): KubeObject {
    const existing = this.get(resource, namespace, name);
    const patched = applyPatch(type, existing, patch);
    if (!isObject(patched)) throw new ApiError(422, 'Invalid', 'the patch result is not an object');
    const meta = isObject(patched.metadata) ? patched.metadata : {};
    // A resourceVersion inside the patch is a precondition, exactly like on PUT.
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== existing.metadata.resourceVersion)
      throw conflict(resource, name);
    return this.update(resource, namespace, name, patched, subresource, opts);
  }

  delete(resource: ResourceType, namespace: string | undefined, name: string, opts: WriteOptions = {}): KubeObject {
    const existing = this.get(resource, namespace, name);
    if (opts.dryRun) return existing;
    const removed = this.store.remove(resource, namespace, name)!;
    if (resource.kind === 'Namespace') {
      for (const r of RESOURCES.filter((t) => t.namespaced)) {
        for (const o of this.store.list(r, name)) this.delete(r, name, o.metadata.name!);
      }
    }
    this.collectDependents(removed);
    return removed;
  }

  /** Controllers' status writes: no conflicts, no generation bump. */
  writeStatus(resource: ResourceType, object: KubeObject): KubeObject | undefined {
    if (!this.store.get(resource, object.metadata.namespace, object.metadata.name!)) return undefined;
    const { resourceVersion: _rv, ...metadata } = object.metadata;
    return this.update(resource, object.metadata.namespace, object.metadata.name!, { ...object, metadata }, 'status');
  }

  /** Foreground-free garbage collection: dependents go as soon as their owner does. */
  private collectDependents(owner: KubeObject) {
    const uid = owner.metadata.uid;
    for (const r of RESOURCES.filter((t) => t.namespaced)) {
      for (const o of this.store.list(r, owner.metadata.namespace)) {
        if (o.metadata.ownerReferences?.some((ref) => ref.uid === uid) && this.store.get(r, o.metadata.namespace, o.metadata.name!))
          this.delete(r, o.metadata.namespace, o.metadata.name!);
      }
    }
  }

  private checkBody(resource: ResourceType, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request was in an unknown format');
    const object = clone(body) as KubeObject;
    const apiVersion = apiVersionOf(resource);
    if (object.kind !== undefined && object.kind !== resource.kind)
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion)
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
    object.kind = resource.kind;
    object.apiVersion = apiVersion;
    if (!isObject(object.metadata)) object.metadata = {};
    return object;
  }
}
