import { UpdateAppEnvMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';
import { runChangeFlow, withWait, type WaitFlags } from '../../../revision-flow.js';
import { changeJson, revisionLine } from '../settings-view.js';

/** `kip app env unset APP KEY… [--wait]`: one `config` revision without them. */
export function envUnsetCommand(env: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        env
          .command('unset')
          .description('remove variables (a new revision)')
          .argument('<app>', 'app name')
          .argument('<names...>', 'KEY, one or more'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, names: string[], opts: AppRefOptions & WaitFlags) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runChangeFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(UpdateAppEnvMutation, { app: ref, input: { unset: names } })).updateAppEnv,
        deploys: (r) => r.revision,
        report: (r) => {
          ctx.out.success(`Removed ${names.join(', ')} from ${r.app.name} (${r.app.namespace})`);
          ctx.out.line(revisionLine(r.app.name, r.revision));
        },
        json: (r, deployed) => changeJson(r.app, deployed),
      });
    }),
  );
}
