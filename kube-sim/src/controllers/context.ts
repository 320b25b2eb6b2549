import type { Logs } from '../logs.js';
import type { Objects } from '../objects.js';
import { ApiError } from '../status.js';

/**
 * Controller work runs outside any request; an object deleted under it (an ApiError) is a normal
 * race, and nothing a controller does may crash the process hosting the simulator.
 */
export function safely(fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiError)) console.error('kube-sim controller error:', err);
    }
  };
}

/** Timers are tracked so close() can stop every controller at once. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  every(ms: number, fn: () => void): () => void {
    const timer = setInterval(safely(fn), ms);
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      safely(fn)();
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  stopAll(): void {
    // clearInterval and clearTimeout are interchangeable in Node.
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }
}

/** The documented misbehaviours of deployment pods, chosen by image. */
export interface FaultSettings {
  /** Pods become ready, then crash-loop (CrashLoopBackOff, restarts rising). */
  crashPattern: RegExp;
  /** Like crashPattern, but the container is OOMKilled. */
  oomPattern: RegExp;
  /** Time a crashing container runs (ready) before each crash; also the time between restarts. */
  crashAfterMs: number;
  /** Pods take slowReadyMs to become ready. */
  slowPattern: RegExp;
  slowReadyMs: number;
}

export interface ControllerContext {
  objects: Objects;
  logs: Logs;
  scheduler: Scheduler;
  stepMs: number;
  failPattern: RegExp;
  faults: FaultSettings;
  /** Time between the log lines of a running app pod. */
  appLogIntervalMs: number;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}

/** The documented failure trigger: any image, command, arg or env value matching the pattern. */
export function matchesFailPattern(containers: Container[], pattern: RegExp, includeArgs: boolean): boolean {
  const test = (s: unknown) => typeof s === 'string' && new RegExp(pattern.source, pattern.flags.replace('g', '')).test(s);
  return containers.some(
    (c) =>
      test(c.image) ||
      (includeArgs &&
        ([...(c.command ?? []), ...(c.args ?? [])].some(test) || (c.env ?? []).some((e) => test(e.value)))),
  );
}
