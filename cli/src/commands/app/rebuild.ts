import { RebuildMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runRevisionFlow, withWait, type WaitFlags } from '../../revision-flow.js';

/** `kip app rebuild APP [--commit SHA]`: git apps only; builds, then deploys the result. */
export function appRebuildCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('rebuild')
          .description('build a git app again and deploy it')
          .argument('<app>', 'app name')
          .option('--commit <sha>', 'commit to build (default: the head of the branch)'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & WaitFlags & { commit?: string }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runRevisionFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(RebuildMutation, { app: ref, commit: opts.commit ?? null })).rebuildApp,
        report: (r) => {
          const what = r.commit ?? opts.commit ?? `the head of ${r.app.gitBranch ?? 'its branch'}`;
          ctx.out.success(`Rebuilding ${name} from ${what} (revision #${r.number}${r.build ? `, build #${r.build.number}` : ''})`);
          ctx.out.line(`Follow the build with: kip app build-logs ${name} --follow${ref.namespace ? ` --namespace ${r.app.namespace}` : ''}`);
        },
        json: () => ({ app: name }),
      });
    }),
  );
}
