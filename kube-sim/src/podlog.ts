import type { ServerResponse } from 'node:http';
import type { LogLine, Logs } from './logs.js';
import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string } };
}

/** Kubelet has no log of a container it has not started (pulling, or failing to pull, its image). */
const NOT_STARTED: Record<string, string> = {
  ContainerCreating: 'ContainerCreating',
  PodInitializing: 'PodInitializing',
  ImagePullBackOff: 'trying and failing to pull image',
  ErrImagePull: 'trying and failing to pull image',
};

/** RFC 3339 with nanoseconds, as the kubelet prefixes lines with timestamps=true. */
function timestamp(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function sinceOf(query: URLSearchParams): Date | undefined {
  const seconds = query.get('sinceSeconds');
  const time = query.get('sinceTime');
  if (seconds !== null && time !== null) throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
  if (seconds !== null) {
    const n = Number(seconds);
    if (!Number.isInteger(n) || n < 1) throw badRequest('sinceSeconds: Invalid value: must be greater than 0');
    return new Date(Date.now() - n * 1000);
  }
  if (time !== null) {
    const at = new Date(time);
    if (Number.isNaN(at.getTime())) throw badRequest(`sinceTime: Invalid value: "${time}": not an RFC 3339 time`);
    return at;
  }
  return undefined;
}

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
  const name = container ?? containers[0];
  const statuses = (pod.status?.containerStatuses ?? []) as ContainerStatus[];
  const waiting = statuses.find((s) => s.name === name)?.state?.waiting?.reason;
  if (waiting && NOT_STARTED[waiting])
    throw badRequest(`container "${name}" in pod "${podName}" is waiting to start: ${NOT_STARTED[waiting]}`);
  const tail = query.get('tailLines');
  const withTimestamps = query.get('timestamps') === 'true' || query.get('timestamps') === '1';
  const format = (line: LogLine) => (withTimestamps ? `${timestamp(line.at)} ${line.text}\n` : `${line.text}\n`);
  const { lines, finished } = logs.read(namespace, podName, {
    tailLines: tail === null ? undefined : Number(tail),
    since: sinceOf(query),
  });
  const follow = query.get('follow') === 'true' || query.get('follow') === '1';

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  for (const line of lines) res.write(format(line));
  if (!follow || finished) {
    res.end();
    return;
  }
  openStreams.add(res);
  const stop = logs.follow(
    namespace,
    podName,
    (line) => res.write(format(line)),
    () => done(),
  );
  const done = () => {
    stop();
    openStreams.delete(res);
    if (!res.writableEnded) res.end();
  };
  res.on('close', done);
}
