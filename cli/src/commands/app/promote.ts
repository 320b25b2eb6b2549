import { PromoteMutation, PromotionPreviewQuery, PromotionTargetQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound, CliError, UsageError } from '../../errors.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { confirm } from '../../prompt.js';
import { runRevisionFlow, withWait, type WaitFlags } from '../../revision-flow.js';
import { previewJson, previewLines } from './promotion-preview.js';

interface PromoteOptions extends AppRefOptions, WaitFlags {
  from?: string;
  to?: string;
  yes?: boolean;
  dryRun?: boolean;
}

/** `kip app promote APP --from ENV [--to ENV]`: the current image, one environment further. */
export function appPromoteCommand(app: Command, state: RunState): Command {
  return withWait(
    withAppRef(
      withOutput(
        app
          .command('promote')
          .description('deploy the current image to the next environment')
          .argument('<app>', 'app name')
          .option('--from <environment>', 'environment to promote from (same as --environment)')
          .option('--to <environment>', 'environment to promote to (default: the next in the pipeline)')
          .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
          .option('--dry-run', 'show what would change in the target (image, digest, commits, settings, approvals) and change nothing'),
      ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: PromoteOptions) => {
      if (opts.from && opts.environment && opts.from !== opts.environment) {
        throw new UsageError(`--from ${opts.from} and --environment ${opts.environment} disagree.`);
      }
      const interactive = ctx.io.stdin.isTTY === true && ctx.io.stdout.isTTY === true;
      if (opts.dryRun) {
        const client = await ctx.client();
        const preview = (await client.request(PromotionPreviewQuery, { app: appRef(name, { ...opts, environment: opts.from ?? opts.environment }), to: opts.to ?? null })).promotionPreview;
        for (const line of previewLines(preview)) ctx.out.line(line);
        ctx.out.line('Dry run: nothing was changed.');
        ctx.out.result(previewJson(preview));
        return 0;
      }
      if (!opts.yes && !interactive) {
        throw new UsageError('Promotion needs confirmation: run it on a terminal, or pass --yes.');
      }
      const ref = appRef(name, { ...opts, environment: opts.from ?? opts.environment });
      const client = await ctx.client();
      const source = (await client.request(PromotionTargetQuery, { app: ref })).app;
      if (!source) throw appNotFound(name, ref);
      const fromEnv = source.environment.name;
      const toEnv = opts.to ?? source.environment.next?.name;
      if (!toEnv) {
        throw new CliError(`${fromEnv} is the last environment of ${source.project.name}; there is nowhere to promote to.`, 1, 'NO_NEXT_ENVIRONMENT');
      }
      if (!opts.yes) {
        // The question names what changes; an api that cannot preview still lets a person decide.
        try {
          const preview = (await client.request(PromotionPreviewQuery, { app: { name, namespace: source.namespace }, to: opts.to ?? null })).promotionPreview;
          for (const line of previewLines(preview)) ctx.out.line(line);
        } catch (error) {
          ctx.out.line(`(No preview: ${error instanceof Error ? error.message : String(error)})`);
        }
        const ok = await confirm(ctx.io, `Promote ${name} from ${fromEnv} to ${toEnv}?`);
        if (!ok) {
          ctx.out.line('Promotion cancelled.');
          return 1;
        }
      }
      return runRevisionFlow(ctx, opts, {
        ref: { name, project: source.project.name, environment: toEnv },
        mutate: async () =>
          (await client.request(PromoteMutation, { app: { name, namespace: source.namespace }, to: opts.to ?? null }))
            .promoteApp,
        report: (r) => {
          const origin = r.promotedFrom ? ` (revision #${r.promotedFrom.revision} in ${r.promotedFrom.environment})` : '';
          ctx.out.success(`Promoted ${name} from ${fromEnv} to ${r.app.environment.name}: ${r.imageTag ?? r.image ?? '-'}${origin}`);
          if (r.image?.includes('@sha256:')) ctx.out.line(`Pinned to ${r.image ?? '-'}: the bytes ${fromEnv} ran.`);
          ctx.out.line(
            r.status === 'AWAITING_APPROVAL'
              ? `Revision #${r.number} in ${r.app.namespace} awaits approval (kip approvals); it rolls out once approved.`
              : `Deploying it as revision #${r.number} in ${r.app.namespace}.`,
          );
        },
        json: (r) => ({ app: name, from: fromEnv, to: r.app.environment.name, namespace: r.app.namespace, image: r.image, imageTag: r.imageTag }),
      });
    }),
  );
}
