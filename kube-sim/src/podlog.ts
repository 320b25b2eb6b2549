import type { ServerResponse } from 'node:http';
import type { Logs } from './logs.js';
import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

/** GET pods/{name}/log: plain text, optionally kept open (follow) until the container exits. */
export function servePodLog(
  res: ServerResponse,
  logs: Logs,
  pod: KubeObject,
  query: URLSearchParams,
  openStreams: Set<ServerResponse>,
): void {
  const namespace = pod.metadata.namespace!;
  const podName = pod.metadata.name!;
  const containers = ((pod.spec?.containers ?? []) as { name: string }[]).map((c) => c.name);
  const container = query.get('container');
  if (container && !containers.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${podName}`);
  if (!container && containers.length > 1)
    throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`);
  const tail = query.get('tailLines');
  const { lines, finished } = logs.read(namespace, podName, tail === null ? undefined : Number(tail));
  const follow = query.get('follow') === 'true' || query.get('follow') === '1';

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  for (const line of lines) res.write(`${line}\n`);
  if (!follow || finished) {
    res.end();
    return;
  }
  openStreams.add(res);
  const stop = logs.follow(
    namespace,
    podName,
    (line) => res.write(`${line}\n`),
    () => done(),
  );
  const done = () => {
    stop();
    openStreams.delete(res);
    if (!res.writableEnded) res.end();
  };
  res.on('close', done);
}
