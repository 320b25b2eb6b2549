import { HistoryQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { historyTable, revisionJson } from '../../format.js';
import { printPipelineHistory } from './pipeline-history.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

/** `kip app history APP`: the seed's table, newest first. */
export function appHistoryCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('history')
        .description('deploy history, newest first')
        .argument('<app>', 'app name')
        .option('--limit <n>', 'how many revisions to show', parseIntOption('--limit', 1), 20)
        .option('--wide', 'more columns: TRIGGERED BY (the person, token, CI identity, webhook or kipper), DIGEST, PROMOTED FROM', false)
        .option('--all-environments', 'the app in every environment of its project, side by side in pipeline order', false),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { limit: number; wide: boolean; allEnvironments: boolean }) => {
      const ref = appRef(name, opts);
      if (opts.allEnvironments) return printPipelineHistory(ctx, ref, opts.limit);
      const client = await ctx.client();
      const a = (await client.request(HistoryQuery, { app: ref, first: opts.limit, after: null })).app;
      if (!a) throw appNotFound(name, opts);
      const revisions = a.revisions.nodes;
      if (revisions.length === 0) {
        ctx.out.line(`No deployments of ${a.name} yet.`);
      } else {
        for (const line of historyTable(revisions, ctx.now(), a.pin?.revision.number, opts.wide)) ctx.out.line(line);
        if (a.revisions.pageInfo.hasNextPage) {
          ctx.out.line(`Showing ${revisions.length} of ${a.revisions.totalCount} revisions; use --limit to see more.`);
        }
      }
      ctx.out.result({
        app: a.name,
        namespace: a.namespace,
        totalCount: a.revisions.totalCount,
        pin: a.pin ? { revision: a.pin.revision.number, by: a.pin.by, at: a.pin.at } : null,
        revisions: revisions.map((r) => ({ ...revisionJson(r), pinned: r.number === a.pin?.revision.number })),
      });
    }),
  );
}
