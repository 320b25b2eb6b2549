import type { Revision } from '@kipper/client';
import type { Command } from 'commander';
import type { Context } from './action.js';
import { revisionJson, revisionProgress, waitsForPerson } from './format.js';
import { parseIntOption, type AppRef } from './options.js';
import { assertLive, DEFAULT_WAIT_TIMEOUT_SECONDS, RevisionWatcher } from './wait.js';

export interface WaitFlags {
  wait?: boolean;
  timeout?: number;
}

/** `--wait` and `--timeout`, on every command that creates a revision. */
export function withWait(command: Command): Command {
  return command
    .option('--wait', 'follow the new revision until it is live; exit 1 if it fails, is superseded or cancelled')
    .option(
      '--timeout <seconds>',
      `with --wait: give up after this many seconds (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
      parseIntOption('--timeout', 1),
    );
}

export interface RevisionFlow<T extends Revision> {
  /** The app whose events to follow (for a promotion: the app in the target environment). */
  ref: AppRef;
  /** Sends the mutation; answers the new revision. */
  mutate(): Promise<T>;
  /** Prints the text lines of the accepted revision (the ✔ line). */
  report(revision: T): void;
  /** Extra facts for `--output json`, from the mutation's answer. */
  json?(revision: T): Record<string, unknown>;
  /** Whether `--wait` may subscribe before the mutation (the app exists already). */
  subscribeFirst?: boolean;
}

/**
 * Runs a mutation that creates a revision. With `--wait` it subscribes to the app's events
 * first, sends the mutation, prints a line per change and exits 1 unless the revision goes live.
 */
export async function runRevisionFlow<T extends Revision>(
  ctx: Context,
  flags: WaitFlags,
  flow: RevisionFlow<T>,
): Promise<number> {
  const client = await ctx.client();
  const output = (accepted: T, revision: Revision) =>
    ctx.out.result({ ...(flow.json?.(accepted) ?? {}), revision: revisionJson(revision) });

  if (!flags.wait) {
    const revision = await flow.mutate();
    flow.report(revision);
    output(revision, revision);
    return 0;
  }

  const options = { timeoutMs: (flags.timeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000 };
  let watcher: RevisionWatcher | undefined;
  if (flow.subscribeFirst !== false) watcher = await RevisionWatcher.start(ctx, client, flow.ref, options);
  let revision: T;
  try {
    revision = await flow.mutate();
  } catch (error) {
    watcher?.stop();
    throw error;
  }
  flow.report(revision);
  watcher ??= await RevisionWatcher.start(ctx, client, flow.ref, options);
  const final = await watcher.follow(revision);
  output(revision, final);
  if (final.status === 'LIVE') ctx.out.success(revisionProgress(final));
  // Held: accepted while the app is pinned; the follower printed why and what deploys it. Not a
  // failure, and nothing will happen until a person acts: exit 0 without waiting.
  if (waitsForPerson(final.status)) return 0;
  assertLive(final);
  return 0;
}

export interface ChangeFlow<R> {
  ref: AppRef;
  /** Sends the mutation. */
  mutate(): Promise<R>;
  /** The revision the change deploys, if any (a cancel's rollback, an unpin's held revision): `--wait` follows it. */
  deploys(result: R): Revision | null;
  /** Prints the text lines of the change (the ✔ line). */
  report(result: R): void;
  /** The JSON document, with the deployed revision as it is at the end (after `--wait`). */
  json(result: R, deployed: Revision | null): Record<string, unknown>;
}

/**
 * A change that may or may not deploy a revision (cancel, unpin). With `--wait` it subscribes
 * first and, when a revision is deployed, follows it like runRevisionFlow; with nothing deployed
 * there is nothing to wait for.
 */
export async function runChangeFlow<R>(ctx: Context, flags: WaitFlags, flow: ChangeFlow<R>): Promise<number> {
  const client = await ctx.client();
  const options = { timeoutMs: (flags.timeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000 };
  const watcher = flags.wait ? await RevisionWatcher.start(ctx, client, flow.ref, options) : undefined;
  let result: R;
  try {
    result = await flow.mutate();
  } catch (error) {
    watcher?.stop();
    throw error;
  }
  flow.report(result);
  const deployed = flow.deploys(result);
  if (!watcher || !deployed) {
    watcher?.stop();
    ctx.out.result(flow.json(result, deployed));
    return 0;
  }
  const final = await watcher.follow(deployed);
  ctx.out.result(flow.json(result, final));
  if (final.status === 'LIVE') ctx.out.success(revisionProgress(final));
  if (waitsForPerson(final.status)) return 0;
  assertLive(final);
  return 0;
}
