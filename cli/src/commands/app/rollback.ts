import { RollbackMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runRevisionFlow, withWait, type WaitFlags } from '../../revision-flow.js';

/** `kip app rollback APP [--revision N]`: deploys an earlier image as a new `rollback` revision. */
export function appRollbackCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('rollback')
          .description('go back to an earlier revision')
          .argument('<app>', 'app name')
          .option('--revision <n>', 'revision number to go back to', parseIntOption('--revision', 1)),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & WaitFlags & { revision?: number }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runRevisionFlow(ctx, opts, {
        ref,
        mutate: async () =>
          (await client.request(RollbackMutation, { app: ref, revision: opts.revision ?? null })).rollbackApp,
        report: (r) => {
          ctx.out.success(`Rolled back ${name} to revision #${r.rollbackTo ?? opts.revision ?? '?'} (${r.image ?? '-'})`);
          ctx.out.line(`Deploying it as revision #${r.number}.`);
        },
        json: (r) => ({ app: name, rolledBackTo: r.rollbackTo ?? opts.revision ?? null, image: r.image }),
      });
    }),
  );
}
