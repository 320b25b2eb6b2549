import { DeliveriesQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { appNotFound } from '../../errors.js';
import { jsonEnum, relativeTime, table, word } from '../../format.js';
import { appRef, parseIntOption, withAppRef, withOutput, type AppRefOptions } from '../../options.js';

/** `kip app deliveries APP`: recent webhook deliveries, newest first. */
export function appDeliveriesCommand(app: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      app
        .command('deliveries')
        .description('recent webhook deliveries and their outcomes')
        .argument('<app>', 'app name')
        .option('--limit <n>', 'how many deliveries to show', parseIntOption('--limit', 1), 20),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { limit: number }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(DeliveriesQuery, { app: ref, first: opts.limit })).app;
      if (!a) throw appNotFound(name, opts);
      const now = ctx.now();
      if (a.deliveries.length === 0) {
        ctx.out.line(`No webhook deliveries for ${name} yet.`);
      } else {
        const rows = a.deliveries.map((d) => [
          relativeTime(d.receivedAt, now),
          word(d.source),
          d.event,
          String(d.statusCode),
          word(d.outcome),
          d.revision ? `#${d.revision.number}` : '-',
          d.message ?? '',
        ]);
        for (const line of table(['WHEN', 'SOURCE', 'EVENT', 'STATUS', 'OUTCOME', 'REVISION', 'MESSAGE'], rows)) ctx.out.line(line);
      }
      ctx.out.result({
        app: a.name,
        namespace: a.namespace,
        deliveries: a.deliveries.map((d) => ({
          id: d.id,
          receivedAt: d.receivedAt,
          source: jsonEnum(d.source),
          event: d.event,
          statusCode: d.statusCode,
          outcome: jsonEnum(d.outcome),
          message: d.message,
          revision: d.revision?.number ?? null,
        })),
      });
    }),
  );
}
