import { AppClusterEventsQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';
import { eventTable } from '../../runtime-format.js';

/** `kip app events APP [--limit N]`: Kubernetes events about the app's Deployment, ReplicaSets and pods, newest first. */
export function appEventsCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('events')
        .description('cluster events of the app, newest first')
        .argument('<app>', 'app name')
        .option('--limit <n>', 'how many events to show (at most 100)', parseIntOption('--limit', 1), 20),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { limit: number }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(AppClusterEventsQuery, { app: ref, first: opts.limit })).app;
      if (!a) throw appNotFound(name, opts);
      if (a.events.length === 0) ctx.out.line(`No cluster events about ${a.name} in ${a.namespace}.`);
      else for (const line of eventTable(a.events, ctx.now())) ctx.out.line(line);
      ctx.out.result({ app: a.name, namespace: a.namespace, events: a.events });
    }),
  );
}
