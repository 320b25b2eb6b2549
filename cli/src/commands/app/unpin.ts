import { UnpinAppMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { revisionJson } from '../../format.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runChangeFlow, withWait, type WaitFlags } from '../../revision-flow.js';
import { appJson } from './app-json.js';

/**
 * `kip app unpin APP [--wait]`: ends the pin a rollback set; the newest revision held meanwhile
 * (a webhook, a git push) is deployed, which --wait follows.
 */
export function appUnpinCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('unpin')
          .description('end a pin; deploys the newest held revision')
          .argument('<app>', 'app name'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & WaitFlags) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runChangeFlow(ctx, opts, {
        ref,
        mutate: async () => (await client.request(UnpinAppMutation, { app: ref })).unpinApp,
        deploys: (result) => result.deployed,
        report: ({ deployed }) =>
          ctx.out.success(
            `${name} is no longer pinned. ${deployed ? `Deploying held revision #${deployed.number} (${deployed.image ?? deployed.commit ?? '-'}).` : 'No held revision to deploy.'}`,
          ),
        json: (result, deployed) => ({ app: appJson(result.app), deployed: deployed ? revisionJson(deployed) : null }),
      });
    }),
  );
}
