import { EventEmitter } from 'node:events';
import type { ResourceType } from './resources.js';
import { clone, type KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  resource: ResourceType;
  object: KubeObject;
  rv: number;
}

export interface StoreSnapshot {
  revision: number;
  objects: { group: string; plural: string; object: KubeObject }[];
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/**
 * In-memory objects plus a bounded change history. One global counter gives every write a
 * resourceVersion, like etcd's revision, so a watch can resume from any version still in history.
 */
export class Store {
  private revision = 0;
  private readonly tables = new Map<ResourceType, Map<string, KubeObject>>();
  private history: Change[] = [];
  /** Highest revision no longer replayable; a watch from below it must get 410 Expired. */
  private compacted = 0;
  private readonly emitter = new EventEmitter();

  constructor(private readonly historyLimit = 1000) {
    this.emitter.setMaxListeners(0);
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(resource).get(keyOf(resource.namespaced ? namespace : undefined, name));
    return found && clone(found);
  }

  list(resource: ResourceType, namespace?: string): KubeObject[] {
    const items = [...this.table(resource).values()].filter(
      (o) => !resource.namespaced || namespace === undefined || o.metadata.namespace === namespace,
    );
    items.sort((a, b) =>
      keyOf(a.metadata.namespace, a.metadata.name ?? '').localeCompare(keyOf(b.metadata.namespace, b.metadata.name ?? '')),
    );
    return items.map((o) => clone(o));
  }

  /** Stores a new or replaced object, stamping a fresh resourceVersion; returns the stored copy. */
  put(resource: ResourceType, object: KubeObject): KubeObject {
    const key = keyOf(object.metadata.namespace, object.metadata.name ?? '');
    const table = this.table(resource);
    const type: ChangeType = table.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    table.set(key, stored);
    this.record({ type, resource, object: stored, rv: this.revision });
    return clone(stored);
  }

  remove(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = keyOf(resource.namespaced ? namespace : undefined, name);
    const table = this.table(resource);
    const existing = table.get(key);
    if (!existing) return undefined;
    table.delete(key);
    // The DELETED event carries a new revision so watchers resuming after it do not see it again.
    existing.metadata.resourceVersion = String(++this.revision);
    this.record({ type: 'DELETED', resource, object: existing, rv: this.revision });
    return clone(existing);
  }

  /** Every stored object with its resource type and the current revision: what a state file keeps. */
  snapshot(): StoreSnapshot {
    const objects: StoreSnapshot['objects'] = [];
    for (const [resource, table] of this.tables) {
      for (const object of table.values()) objects.push({ group: resource.group, plural: resource.plural, object: clone(object) });
    }
    return { revision: this.revision, objects };
  }

  /**
   * Loads a snapshot into an empty store. The change history starts empty and compacted at the
   * loaded revision, so a watch resuming from before the restart gets 410 Expired and relists,
   * as it would after an etcd compaction.
   */
  restore(snapshot: StoreSnapshot, resourceOf: (group: string, plural: string) => ResourceType | undefined): void {
    for (const { group, plural, object } of snapshot.objects) {
      const resource = resourceOf(group, plural);
      if (resource) this.table(resource).set(keyOf(object.metadata.namespace, object.metadata.name ?? ''), clone(object));
    }
    this.revision = snapshot.revision;
    this.compacted = snapshot.revision;
  }

  /** Changes after `rv`, or 'expired' when some of them have already left the history. */
  changesSince(rv: number): Change[] | 'expired' {
    if (rv < this.compacted) return 'expired';
    return this.history.filter((c) => c.rv > rv).map((c) => ({ ...c, object: clone(c.object) }));
  }

  /** Listeners run synchronously inside the write, so a snapshot plus subscribe never misses a change. */
  subscribe(listener: (change: Change) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  private record(change: Change) {
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compacted = dropped[dropped.length - 1]!.rv;
    }
    this.emitter.emit('change', { ...change, object: clone(change.object) });
  }

  private table(resource: ResourceType): Map<string, KubeObject> {
    let table = this.tables.get(resource);
    if (!table) {
      table = new Map();
      this.tables.set(resource, table);
    }
    return table;
  }
}
