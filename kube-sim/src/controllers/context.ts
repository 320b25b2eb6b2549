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

/** Intervals are tracked so close() can stop every controller at once. */
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

  stopAll(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }
}

export interface ControllerContext {
  objects: Objects;
  logs: Logs;
  scheduler: Scheduler;
  stepMs: number;
  failPattern: RegExp;
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
