import { RollbackMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { pinNotice } from '../../format.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runRevisionFlow, withWait, type WaitFlags } from '../../revision-flow.js';

interface RollbackOptions extends AppRefOptions, WaitFlags {
  revision?: number;
  /** `--no-pin` makes it false. */
  pin: boolean;
}

/**
 * `kip app rollback APP [--revision N] [--no-pin]`: deploys an earlier image as a new `rollback`
 * revision, and pins the app to it (webhooks and git pushes are held until `kip app unpin`).
 */
export function appRollbackCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('rollback')
          .description('go back to an earlier revision; pins the app')
          .argument('<app>', 'app name')
          .option('--revision <n>', 'revision number to go back to', parseIntOption('--revision', 1))
          .option('--no-pin', 'do not pin: the next webhook or git push deploys as usual'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: RollbackOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runRevisionFlow(ctx, opts, {
        ref,
        mutate: async () =>
          (await client.request(RollbackMutation, { app: ref, revision: opts.revision ?? null, pin: opts.pin })).rollbackApp,
        report: (r) => {
          ctx.out.success(`Rolled back ${name} to revision #${r.rollbackTo ?? opts.revision ?? '?'} (${r.image ?? '-'})`);
          ctx.out.line(`Deploying it as revision #${r.number}.`);
          if (opts.pin) ctx.out.line(pinNotice(name, r.number));
        },
        json: (r) => ({ app: name, rolledBackTo: r.rollbackTo ?? opts.revision ?? null, image: r.image, pinned: opts.pin }),
      });
    }),
  );
}
