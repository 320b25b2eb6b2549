import { recordEvent } from '../events.js';
import { randomSuffix } from '../names.js';
import { resourceByKind } from '../resources.js';
import type { Change } from '../store.js';
import { now, type JsonObject, type KubeObject } from '../types.js';
import { matchesFailPattern, safely, type ControllerContext } from './context.js';
import { containersOf, podFor, podStatus, type PodState } from './pods.js';

const JOBS = resourceByKind('Job');
const PODS = resourceByKind('Pod');
const COMPONENT = 'job-controller';
const PROGRESS_LINES = 3;

/**
 * Runs each job as one pod that prints its command, a few progress lines and a result, then
 * completes or (documented failure) fails with BackoffLimitExceeded without retries.
 */
export class JobController {
  private readonly running = new Map<string, () => void>();

  constructor(private readonly ctx: ControllerContext) {}

  onChange(change: Change): void {
    if (change.resource !== JOBS) return;
    const uid = change.object.metadata.uid!;
    if (change.type === 'DELETED') {
      this.running.get(uid)?.();
      this.running.delete(uid);
      return;
    }
    if (change.type !== 'ADDED') return;
    const job = change.object;
    queueMicrotask(safely(() => this.start(job)));
  }

  private start(job: KubeObject) {
    const { objects, logs } = this.ctx;
    const namespace = job.metadata.namespace!;
    const template = (job.spec?.template ?? {}) as JsonObject;
    const containers = containersOf(template);
    const failing = matchesFailPattern(containers, this.ctx.failPattern, true);
    const podName = `${job.metadata.name}-${randomSuffix()}`;
    objects.create(PODS, namespace, podFor(job, template, podName, 'creating'), { keepStatus: true });
    recordEvent(objects, job, 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`, COMPONENT);
    const startTime = now();
    this.writeJobStatus(job, { startTime, active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} });

    const main = containers[0];
    const commandLine = [...(main?.command ?? []), ...(main?.args ?? [])].join(' ') || (main?.image ?? '');
    let tick = 0;
    const stop = this.ctx.scheduler.every(this.ctx.stepMs, () => {
      tick++;
      const pod = objects.find(PODS, namespace, podName);
      if (!pod || !objects.find(JOBS, namespace, job.metadata.name!)) {
        stop();
        return;
      }
      if (tick === 1) {
        this.setPod(pod, 'running');
        this.writeJobStatus(job, { startTime, active: 1, ready: 1, terminating: 0, uncountedTerminatedPods: {} });
        logs.append(namespace, podName, `+ ${commandLine}`);
      } else if (tick <= PROGRESS_LINES + 1) {
        logs.append(namespace, podName, `[kube-sim] step ${tick - 1}/${PROGRESS_LINES}: working`);
      } else {
        stop();
        this.running.delete(job.metadata.uid!);
        this.finish(job, pod, startTime, failing);
      }
    });
    this.running.set(job.metadata.uid!, stop);
  }

  private finish(job: KubeObject, pod: KubeObject, startTime: string, failing: boolean) {
    const { logs, objects } = this.ctx;
    const namespace = job.metadata.namespace!;
    const podName = pod.metadata.name!;
    logs.append(namespace, podName, failing ? 'error: build failed (simulated)' : 'done: completed successfully');
    this.setPod(pod, failing ? 'failed' : 'succeeded');
    logs.finish(namespace, podName);
    const time = now();
    const condition = (type: string, reason: string, message: string) => ({
      type,
      status: 'True',
      lastProbeTime: time,
      lastTransitionTime: time,
      reason,
      message,
    });
    if (failing) {
      const message = 'Job has reached the specified backoff limit';
      this.writeJobStatus(job, {
        startTime,
        failed: 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          condition('FailureTarget', 'BackoffLimitExceeded', message),
          condition('Failed', 'BackoffLimitExceeded', message),
        ],
      });
      recordEvent(objects, job, 'Warning', 'BackoffLimitExceeded', message, COMPONENT);
    } else {
      const message = 'Reached expected number of succeeded pods';
      this.writeJobStatus(job, {
        startTime,
        completionTime: time,
        succeeded: 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          condition('SuccessCriteriaMet', 'CompletionsReached', message),
          condition('Complete', 'CompletionsReached', message),
        ],
      });
      recordEvent(objects, job, 'Normal', 'Completed', 'Job completed', COMPONENT);
    }
  }

  private setPod(pod: KubeObject, state: PodState) {
    this.ctx.objects.writeStatus(PODS, { ...pod, status: podStatus(pod, state) });
  }

  private writeJobStatus(job: KubeObject, status: JsonObject) {
    const current = this.ctx.objects.find(JOBS, job.metadata.namespace, job.metadata.name!);
    if (current) this.ctx.objects.writeStatus(JOBS, { ...current, status });
  }
}
