import type { Command } from 'commander';
import { historyTable, revisionJson } from '../format.js';
import { HistoryQuery, RollbackMutation } from '../graphql/operations.js';
import { action, appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions, type RunState } from './common.js';
import { notFound } from './app.js';
import { runRevisionFlow, withWait, type WaitFlags } from './revision-flow.js';

export function registerHistory(app: Command, state: RunState): void {
  withAppRef(
    withOutput(
      app
        .command('history')
        .description('deploy history, newest first')
        .argument('<app>', 'app name')
        .option('--limit <n>', 'how many revisions to show', parseIntOption('--limit', 1), 20),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { limit: number }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const data = await client.request(HistoryQuery, { app: ref, first: opts.limit, after: null });
      const a = data.app;
      if (!a) throw notFound(name, opts);
      const revisions = a.revisions.nodes;
      if (revisions.length === 0) {
        ctx.out.line(`No deployments of ${a.name} yet.`);
      } else {
        for (const line of historyTable(revisions, ctx.now())) ctx.out.line(line);
        if (a.revisions.pageInfo.hasNextPage) {
          ctx.out.line(`Showing ${revisions.length} of ${a.revisions.totalCount} revisions; use --limit to see more.`);
        }
      }
      ctx.out.result({
        app: a.name,
        namespace: a.namespace,
        totalCount: a.revisions.totalCount,
        revisions: revisions.map(revisionJson),
      });
    }),
  );

  withWait(
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
