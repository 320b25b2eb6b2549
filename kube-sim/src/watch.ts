import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceType } from './resources.js';
import type { Selector } from './selectors.js';
import { ApiError, badRequest, failureStatus } from './status.js';
import type { Change, Store } from './store.js';
import type { KubeObject } from './types.js';

export interface WatchRequest {
  resource: ResourceType;
  namespace: string | undefined;
  selector: Selector;
  resourceVersion: string | null;
  timeoutSeconds: number | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
}

type EventType = Change['type'] | 'BOOKMARK' | 'ERROR';

/**
 * Streams newline-delimited watch events. Everything happens synchronously between the replay and
 * the subscription, so no change can slip between history and live events.
 */
export function serveWatch(
  _req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  w: WatchRequest,
  openStreams: Set<ServerResponse>,
): void {
  const fromVersion = w.resourceVersion === null || w.resourceVersion === '' ? 0 : Number(w.resourceVersion);
  if (!Number.isInteger(fromVersion) || fromVersion < 0) throw badRequest(`invalid resource version: ${w.resourceVersion}`);
  // A version from the future: the client last talked to another server (a restarted simulator
  // forgets everything). The real API server answers so after waiting for it briefly; clients re-list.
  if (fromVersion > Number(store.resourceVersion)) {
    throw new ApiError(504, 'Timeout', `Too large resource version: ${fromVersion}, current: ${store.resourceVersion}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  openStreams.add(res);
  const send = (type: EventType, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const matches = (c: Change) =>
    c.resource === w.resource &&
    (w.namespace === undefined || c.object.metadata.namespace === w.namespace) &&
    w.selector(c.object);

  if (fromVersion === 0 || w.sendInitialEvents) {
    for (const object of store.list(w.resource, w.namespace).filter(w.selector)) send('ADDED', object);
    if (w.sendInitialEvents) send('BOOKMARK', bookmark(w.resource, store, { 'k8s.io/initial-events-end': 'true' }));
  } else {
    const changes = store.changesSince(fromVersion);
    if (changes === 'expired') {
      // The real API server answers 200 and puts the 410 in the stream; client-node and client-go expect that.
      send(
        'ERROR',
        failureStatus(410, 'Expired', `too old resource version: ${fromVersion} (${store.resourceVersion})`),
      );
      openStreams.delete(res);
      res.end();
      return;
    }
    for (const c of changes.filter(matches)) send(c.type, c.object);
  }

  const unsubscribe = store.subscribe((c) => {
    if (matches(c)) send(c.type, c.object);
  });
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    openStreams.delete(res);
    if (!res.writableEnded) res.end();
  };
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
    timer = setTimeout(() => {
      if (w.allowBookmarks) send('BOOKMARK', bookmark(w.resource, store));
      finish();
    }, w.timeoutSeconds * 1000);
  }
  res.on('close', finish);
}

function bookmark(resource: ResourceType, store: Store, annotations?: Record<string, string>): KubeObject {
  return {
    kind: resource.kind,
    apiVersion: apiVersionOf(resource),
    metadata: { resourceVersion: store.resourceVersion, ...(annotations ? { annotations } : {}) },
  };
}
