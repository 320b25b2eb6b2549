import type { Objects } from './objects.js';
import { resourceByKind } from './resources.js';
import { now, type KubeObject } from './types.js';

const EVENTS = resourceByKind('Event');
let sequence = 0n;
/** Per simulator: the event already recorded for (object uid, reason, message, fieldPath), so a repeat is one lookup, not a scan. */
const recorded = new WeakMap<Objects, Map<string, string>>();

interface InvolvedObject {
  uid?: string;
  fieldPath?: string;
}

/**
 * A core/v1 Event about `involved`, the kind `kubectl describe` lists under "Events:". The same
 * reason and message about the same object again raise `count` and `lastTimestamp` of the first
 * one, as client-go's event correlator does (a crash-looping pod has one BackOff event, count 7).
 * `fieldPath` names the container for kubelet events (`spec.containers{api}`).
 */
export function recordEvent(
  objects: Objects,
  involved: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
  fieldPath?: string,
): void {
  const time = now();
  const namespace = involved.metadata.namespace ?? 'default';
  try {
    const names = recorded.get(objects) ?? new Map<string, string>();
    recorded.set(objects, names);
    const key = JSON.stringify([involved.metadata.uid, reason, message, fieldPath ?? null]);
    const earlier = names.get(key);
    const same = earlier === undefined ? undefined : objects.find(EVENTS, namespace, earlier);
    if (same && (same.involvedObject as InvolvedObject | undefined)?.uid === involved.metadata.uid) {
      objects.update(EVENTS, namespace, same.metadata.name!, { ...same, count: Number(same.count ?? 1) + 1, lastTimestamp: time });
      return;
    }
    const created = objects.create(EVENTS, namespace, {
      metadata: { name: eventName(involved.metadata.name!), namespace },
      involvedObject: {
        kind: involved.kind,
        namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: { component, ...(component === 'kubelet' ? { host: 'sim-node' } : {}) },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? 'sim-node' : '',
    });
    names.set(key, created.metadata.name!);
  } catch {
    // The namespace may be going away with the object; an event is not worth failing a controller step.
  }
}

/** Like client-go's recorder: name.{hex nanoseconds}, so events list in the order they happened. */
function eventName(name: string): string {
  const nanos = BigInt(Date.now()) * 1_000_000n + (sequence++ % 1_000_000n);
  return `${name}.${nanos.toString(16)}`;
}
