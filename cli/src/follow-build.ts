import { AppEventsSubscription, BuildLogSubscription, BuildQuery, type Build, type KipperClient } from '@kipper/client';
import type { Context } from './action.js';
import { CliError, ExitCode } from './errors.js';
import type { AppRef } from './options.js';

export const buildRunning = (status: string): boolean => status === 'QUEUED' || status === 'RUNNING';

/** How often the build row is read when no event says anything (the fallback that always ends the follow). */
const POLL_MS = 1_000;

export interface FollowedBuild {
  status: Build['status'];
  failureReason: string | null;
  image: string | null;
}

/**
 * Prints a running build's new lines until it ends. PostgreSQL holds the log (the worker
 * appends it in small batches), so lines are read by index from there: whenever the follower
 * joins, no line is lost or printed twice. Live log lines and the app's events (the build's
 * revision cancelled, superseded, failed) only wake the loop early; the build row is read at
 * least every second, so the follow ends once the row is final even when no event comes.
 * Should the revision be decided while its build row still says running (a worker that died
 * mid-build), its end ends the follow too, with the revision's reason.
 */
export async function followBuild(ctx: Context, client: KipperClient, id: string, from: number, ref?: AppRef): Promise<FollowedBuild> {
  let printed = from;
  let wake: (() => void) | undefined;
  let revisionNumber: number | undefined;
  const subscriptions = [client.subscribe(BuildLogSubscription, { buildId: id }, { next: () => wake?.(), error: () => undefined })];
  if (ref) {
    subscriptions.push(
      client.subscribe(
        AppEventsSubscription,
        { app: ref },
        {
          next: (data) => {
            if (data.appEvents.revision.number === revisionNumber) wake?.();
          },
          error: () => undefined,
        },
      ),
    );
  }
  try {
    for (;;) {
      const build = (await client.request(BuildQuery, { id, from: printed, tail: null })).build;
      if (!build) throw new CliError(`The build was deleted while it was followed.`, ExitCode.Failed, 'BUILD_NOT_FOUND');
      for (const line of build.log) ctx.out.line(line);
      printed += build.log.length;
      if (!buildRunning(build.status)) return { status: build.status, failureReason: build.failureReason, image: build.image };
      revisionNumber = build.revision?.number;
      const revision = build.revision;
      if (revision && (revision.status === 'FAILED' || revision.status === 'CANCELLED' || revision.status === 'SUPERSEDED')) {
        return { status: revision.status, failureReason: revision.failureReason, image: build.image };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        // A line was published: it is stored within the worker's flush interval (250 ms).
        wake = () => {
          clearTimeout(timer);
          setTimeout(resolve, 300);
        };
      });
      wake = undefined;
    }
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
  }
}

/** Throws the CliError that makes `build-logs --follow` exit 1 when the build did not succeed. */
export function assertBuilt(build: { number: number } & FollowedBuild): void {
  const reason = build.failureReason ? `: ${build.failureReason}` : '';
  switch (build.status) {
    case 'SUCCEEDED':
    case 'QUEUED':
    case 'RUNNING':
      return;
    case 'FAILED':
      throw new CliError(`Build #${build.number} failed${reason}`, ExitCode.Failed, 'BUILD_FAILED');
    case 'CANCELLED':
      throw new CliError(`Build #${build.number} was cancelled${reason}`, ExitCode.Failed, 'BUILD_CANCELLED');
    case 'SUPERSEDED':
      throw new CliError(`Build #${build.number} was superseded${reason}`, ExitCode.Failed, 'BUILD_SUPERSEDED');
  }
}
