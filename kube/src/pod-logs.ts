import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterContext } from './context.js';
import { ClusterError, isTransient, statusOf, toClusterError } from './errors.js';
import { labelSelector, selectorOf } from './labels.js';
import { LineSplitter } from './lines.js';
import { backoffDelay, sleep } from './retry.js';
import type { FollowPodLogsOptions, PodLogLine } from './types.js';
import { watchOnce } from './watch-stream.js';

/** The `reason` of the ClusterError for a pod name that is not one of the app's pods. */
export const POD_NOT_FOUND_REASON = 'PodNotFound';


/** A container has a log once it ran: running now, exited, or restarted. */
function hasStarted(pod: V1Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some((s) => s.state?.running || s.state?.terminated || (s.restartCount ?? 0) > 0);
}

/** `2026-12-01T10:00:00.123456789Z text` (timestamps=true) → its time and text. */
export function splitTimestamp(raw: string): { at: Date | null; text: string } {
  const space = raw.indexOf(' ');
  const at = space > 0 ? new Date(raw.slice(0, space)) : null;
  if (!at || Number.isNaN(at.getTime())) return { at: null, text: raw };
  return { at, text: raw.slice(space + 1) };
}

interface StreamOptions {
  follow: boolean;
  tail: number | undefined;
  /** Only lines after this one (a stream opened again for the same pod). */
  after: Date | undefined;
  signal: AbortSignal;
  onLine: (line: PodLogLine) => void;
}

/** One log stream of one pod; resolves when the server ends it or `signal` aborts (the stream is closed either way). */
async function streamPod(ctx: ClusterContext, namespace: string, pod: V1Pod, opts: StreamOptions): Promise<Date | undefined> {
  const name = pod.metadata!.name!;
  const container = pod.spec?.containers[0]?.name ?? '';
  let last = opts.after;
  const splitter = new LineSplitter((raw) => {
    const { at, text } = splitTimestamp(raw);
    if (at && opts.after && at <= opts.after) return;
    if (at) last = at;
    opts.onLine({ pod: name, line: text, at });
  });
  let leave = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    splitter.on('finish', resolve);
    splitter.on('error', (err) => (opts.signal.aborted ? resolve() : reject(err)));
    leave = resolve;
  });
  if (opts.signal.aborted) return last;
  const controller = await ctx.call(`read log of pod ${namespace}/${name}`, () =>
    ctx.log.log(namespace, name, container, splitter, {
      follow: opts.follow,
      timestamps: true,
      ...(opts.tail !== undefined && !opts.after ? { tailLines: opts.tail } : {}),
      ...(opts.after ? { sinceTime: opts.after.toISOString() } : {}),
    }),
  );
  const abort = () => {
    controller.abort();
    leave();
  };
  if (opts.signal.aborted) abort();
  opts.signal.addEventListener('abort', abort, { once: true });
  try {
    await ended;
  } finally {
    opts.signal.removeEventListener('abort', abort);
    controller.abort();
  }
  return last;
}

/**
 * Follows the log of one pod of an app or of all of them. With `follow` and no `pod`, the app's
 * pods are watched (labelSelector, from the list's resourceVersion) and each pod that starts later
 * (a rollout, a restart) is streamed too; a stream the server ends while its pod lives is opened
 * again on the pod's next change, from its last line's time. Never polls.
 */
export async function followPodLogs(ctx: ClusterContext, namespace: string, app: string, opts: FollowPodLogsOptions): Promise<void> {
  ctx.assertOpen();
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.closeSignal, opts.signal, stop.signal]);
  const selector = labelSelector(selectorOf(app));
  const list = await ctx.call(`list pods of ${namespace}/${app}`, () => ctx.core.listNamespacedPod({ namespace, labelSelector: selector }));
  let pods = list.items.filter((p) => !p.metadata?.deletionTimestamp);
  if (opts.pod !== undefined) {
    pods = pods.filter((p) => p.metadata?.name === opts.pod);
    if (pods.length === 0) throw new ClusterError('CLUSTER_NOT_FOUND', `pod "${opts.pod}" is not a pod of ${namespace}/${app}`, 404, POD_NOT_FOUND_REASON);
  }

  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    stop.abort();
  };
  const streams = new Map<string, Promise<void>>();
  const lastLine = new Map<string, Date | undefined>();
  const open = (pod: V1Pod, tail: number | undefined) => {
    const name = pod.metadata?.name;
    if (!name || streams.has(name) || pod.metadata?.deletionTimestamp || !hasStarted(pod) || signal.aborted) return;
    const again = lastLine.has(name);
    const stream = streamPod(ctx, namespace, pod, { follow: opts.follow, tail, after: lastLine.get(name), signal, onLine: opts.onLine }).then(
      (last) => {
        lastLine.set(name, last);
        // Ended by the server (container exited, pod gone): the next change of the pod may open it again.
        if (opts.follow && opts.pod === undefined) streams.delete(name);
      },
      (err: unknown) => {
        if (signal.aborted) return;
        // 400: the container has not started (or no longer runs); 404: the pod went. Not worth ending the others for.
        const status = statusOf(err) ?? (err instanceof ClusterError ? err.status : undefined);
        if (status === 400 || status === 404) {
          if (opts.follow && opts.pod === undefined) streams.delete(name);
          return;
        }
        fail(err);
      },
    );
    if (again) lastLine.delete(name);
    streams.set(name, stream);
  };
  for (const pod of pods) open(pod, opts.tail);

  try {
    if (opts.follow && opts.pod === undefined) {
      await watchAppPods(ctx, namespace, selector, list.metadata?.resourceVersion, signal, (pod) => open(pod, undefined));
    } else {
      await Promise.all(streams.values());
    }
  } catch (err) {
    if (!signal.aborted) fail(err);
  } finally {
    stop.abort();
    await Promise.allSettled([...streams.values()]);
  }
  if (failure !== undefined) throw failure instanceof ClusterError ? failure : toClusterError(failure, `follow logs of ${namespace}/${app}`);
  if (ctx.closeSignal.aborted) throw ctx.closeSignal.reason as ClusterError;
}

/** Watches the app's pods until `signal` aborts, handing every added or changed pod to `onPod`. */
async function watchAppPods(
  ctx: ClusterContext,
  namespace: string,
  selector: string,
  fromVersion: string | undefined,
  signal: AbortSignal,
  onPod: (pod: V1Pod) => void,
): Promise<void> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  let resourceVersion = fromVersion;
  let failures = 0;
  while (!signal.aborted) {
    const started = Date.now();
    try {
      const end = await watchOnce<V1Pod>(ctx, {
        path,
        labelSelector: selector,
        resourceVersion,
        signal,
        onObject: (type, pod) => type !== 'DELETED' && onPod(pod),
        onVersion: (rv) => (resourceVersion = rv),
      });
      failures = 0;
      if (end === 'expired') {
        const list = await ctx.call(`list pods of ${namespace}`, () => ctx.core.listNamespacedPod({ namespace, labelSelector: selector }));
        resourceVersion = list.metadata?.resourceVersion;
        for (const pod of list.items) onPod(pod);
      } else if (Date.now() - started < 1000) {
        await sleep(ctx.retry.baseDelayMs, signal).catch(() => undefined);
      }
    } catch (err) {
      if (signal.aborted) return;
      if (isTransient(err) && ++failures < ctx.retry.attempts) {
        await sleep(backoffDelay(ctx.retry, failures - 1), signal).catch(() => undefined);
        continue;
      }
      throw toClusterError(err, `watch pods of ${namespace}`);
    }
  }
}

