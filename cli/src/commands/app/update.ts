import { UpdateImageMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { runRevisionFlow, withWait, type WaitFlags } from '../../revision-flow.js';

interface UpdateOptions extends AppRefOptions, WaitFlags {
  image: string;
  commit?: string;
}

/** `kip app update APP --image IMAGE`: a `manual` revision. */
export function appUpdateCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('update')
          .description('deploy a new image (a manual revision)')
          .argument('<app>', 'app name')
          .requiredOption('--image <image>', 'image reference')
          .option('--commit <sha>', 'commit the image was built from (shown in the history)'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: UpdateOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      return runRevisionFlow(ctx, opts, {
        ref,
        mutate: async () =>
          (await client.request(UpdateImageMutation, { app: ref, image: opts.image, commit: opts.commit ?? null }))
            .updateImage,
        report: (r) => ctx.out.success(`Updating ${name} to ${r.image ?? opts.image} (revision #${r.number})`),
        json: () => ({ app: name }),
      });
    }),
  );
}
