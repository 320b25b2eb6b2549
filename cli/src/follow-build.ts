import { BuildLogSubscription, BuildQuery, type KipperClient } from '@kipper/client';
import type { Context } from './action.js';
import { CliError } from './errors.js';

export const buildRunning = (status: string): boolean => status === 'QUEUED' || status === 'RUNNING';

/**
 * Prints a running build's new lines until it ends. PostgreSQL holds the log (the worker
 * appends it in small batches), so lines are read by index from there: whenever the follower
 * joins, no line is lost or printed twice. Live log events only wake the loop early.
 */
export async function followBuild(ctx: Context, client: KipperClient, id: string, from: number) {
  let printed = from;
  let wake: (() => void) | undefined;
  const subscription = client.subscribe(BuildLogSubscription, { buildId: id }, { next: () => wake?.(), error: () => undefined });
  try {
    for (;;) {
      const build = (await client.request(BuildQuery, { id, from: printed, tail: null })).build;
      if (!build) throw new CliError(`The build was deleted while it was followed.`, 1, 'BUILD_NOT_FOUND');
      for (const line of build.log) ctx.out.line(line);
      printed += build.log.length;
      if (!buildRunning(build.status)) return { status: build.status, failureReason: build.failureReason, image: build.image };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        // A line was published: it is stored within the worker's flush interval (250 ms).
        wake = () => {
          clearTimeout(timer);
          setTimeout(resolve, 300);
        };
      });
    }
  } finally {
    subscription.unsubscribe();
  }
}
