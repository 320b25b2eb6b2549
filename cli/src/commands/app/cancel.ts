import { CancelRolloutMutation, type Revision } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { revisionJson } from '../../format.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runChangeFlow, withWait, type WaitFlags } from '../../revision-flow.js';

/**
 * Where a cancelled revision was when it was stopped, from what the cancel left on it: never
 * started (queued), its build cancelled with it (building), or else its rollout.
 */
export function stoppedWhile(revision: Pick<Revision, 'startedAt' | 'build'>): string {
  if (!revision.startedAt) return 'queued';
  if (revision.build?.status === 'CANCELLED') return 'building';
  return 'rolling out';
}

/** `revision #5 (rolling out)`, `revisions #5 (building) and #6 (queued)`. */
function cancelledList(revisions: readonly Revision[]): string {
  const items = revisions.map((r) => `#${r.number} (${stoppedWhile(r)})`);
  const list = items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
  return `revision${items.length === 1 ? '' : 's'} ${list}`;
}

/**
 * `kip app cancel APP [--wait]`: stops the app's queued, building or rolling out revisions; a
 * stopped rollout brings the last live image back as a new revision, which --wait follows.
 */
export function appCancelCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('cancel')
          .description('stop the build or rollout in progress')
          .argument('<app>', 'app name'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & WaitFlags) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runChangeFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(CancelRolloutMutation, { app: ref })).cancelRollout,
        deploys: (result) => result.rollback,
        report: ({ cancelled, rollback }) => {
          const back = rollback ? ` Rolling back to revision #${rollback.rollbackTo ?? '?'} (${rollback.image ?? '-'}) as revision #${rollback.number}.` : '';
          ctx.out.success(`Cancelled ${cancelledList(cancelled)}.${back}`);
        },
        json: ({ cancelled }, rollback) => ({
          app: name,
          cancelled: cancelled.map((r) => ({ ...revisionJson(r), stoppedWhile: stoppedWhile(r) })),
          rollback: rollback ? revisionJson(rollback) : null,
        }),
      });
    }),
  );
}
