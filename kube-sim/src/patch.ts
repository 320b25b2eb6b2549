import { isDeepStrictEqual } from 'node:util';
import { ApiError, badRequest } from './status.js';
import { clone, isObject, type JsonObject } from './types.js';

export const PATCH_TYPES = [
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

/** RFC 7386: objects merge recursively, null deletes, anything else (arrays included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * The merge keys the Kubernetes Go types declare (patchMergeKey) for the lists Kipper touches.
 * Service ports and container ports share the field name, so `ports` is decided per item.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const first = items.find(isObject);
    return first && 'containerPort' in first ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const key = mergeKeyFor(field, patch);
  if (!key || !Array.isArray(target) || !patch.every(isObject)) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map((item) => clone(item));
  }
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map((item) => clone(item));
  }
  const result = clone(target);
  for (const item of patch as JsonObject[]) {
    const index = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item);
    } else {
      result.push(strategicMergePatch({}, item));
    }
  }
  return result;
}

/**
 * Strategic merge patch as kubectl and client-node send it: a merge patch whose known lists
 * merge by key, plus the `$patch` directive. `$setElementOrder/...` and `$retainKeys` only
 * affect ordering/pruning in the real server and are dropped here.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return strategicMergePatch({}, rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else {
      const merged = strategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walk(doc: unknown, tokens: string[]): unknown {
  let current = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}

function failed(message: string) {
  return new ApiError(422, 'Invalid', message);
}

function parentOf(doc: unknown, pointer: string): { parent: JsonObject | unknown[]; last: string } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw failed(`cannot operate on the document root: ${pointer}`);
  const parent = walk(doc, tokens.slice(0, -1));
  if (!isObject(parent) && !Array.isArray(parent)) throw failed(`doc is missing path: "${pointer}"`);
  return { parent, last: tokens[tokens.length - 1]! };
}

function arrayIndex(list: unknown[], token: string, forInsert: boolean): number {
  if (forInsert && token === '-') return list.length;
  const index = Number(token);
  const max = forInsert ? list.length : list.length - 1;
  if (!/^\d+$/.test(token) || index > max) throw failed(`index out of range: "${token}"`);
  return index;
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return clone(value);
  const { parent, last } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, clone(value));
  else parent[last] = clone(value);
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, last } = parentOf(doc, pointer);
  const removed = walk(doc, parsePointer(pointer));
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false), 1);
  else {
    if (!(last in parent)) throw failed(`unable to remove nonexistent key: ${last}: missing value`);
    delete parent[last];
  }
  return removed;
}

/** RFC 6902, applied to a copy so a failing operation leaves the stored object untouched. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of operations as Operation[]) {
    if (!isObject(raw) || typeof raw.path !== 'string') throw badRequest('invalid json patch operation');
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value);
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'replace':
        if (walk(doc, parsePointer(raw.path)) === undefined) throw failed(`replace operation does not apply: doc is missing key: ${raw.path}: missing value`);
        remove(doc, raw.path);
        doc = add(doc, raw.path, raw.value);
        break;
      case 'move': {
        const value = walk(doc, parsePointer(raw.from ?? ''));
        if (value === undefined) throw failed(`move operation does not apply: doc is missing from path: ${raw.from}`);
        remove(doc, raw.from ?? '');
        doc = add(doc, raw.path, value);
        break;
      }
      case 'copy': {
        const value = walk(doc, parsePointer(raw.from ?? ''));
        if (value === undefined) throw failed(`copy operation does not apply: doc is missing from path: ${raw.from}`);
        doc = add(doc, raw.path, value);
        break;
      }
      case 'test':
        if (!isDeepStrictEqual(walk(doc, parsePointer(raw.path)), raw.value))
          throw failed(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw badRequest(`unexpected json patch operation: ${String(raw.op)}`);
    }
  }
  return doc;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case 'application/merge-patch+json':
      return mergePatch(target, patch);
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(target, patch);
    case 'application/json-patch+json':
      return jsonPatch(target, patch);
  }
}
