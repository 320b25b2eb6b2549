import type { Objects } from './objects.js';
import { resourceByKind } from './resources.js';
import { now, type KubeObject } from './types.js';

const EVENTS = resourceByKind('Event');
let sequence = 0n;

/** A core/v1 Event about `involved`, the kind `kubectl describe` lists under "Events:". */
export function recordEvent(
  objects: Objects,
  involved: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
): void {
  const time = now();
  const namespace = involved.metadata.namespace ?? 'default';
  try {
    objects.create(EVENTS, namespace, {
      metadata: { name: eventName(involved.metadata.name!), namespace },
      involvedObject: {
        kind: involved.kind,
        namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: '',
    });
  } catch {
    // The namespace may be going away with the object; an event is not worth failing a controller step.
  }
}

/** Like client-go's recorder: name.{hex nanoseconds}, so events list in the order they happened. */
function eventName(name: string): string {
  const nanos = BigInt(Date.now()) * 1_000_000n + (sequence++ % 1_000_000n);
  return `${name}.${nanos.toString(16)}`;
}
