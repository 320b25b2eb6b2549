import { NotificationDeliveriesQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { relativeTime, table } from '../../format.js';
import { parseIntOption, withOutput } from '../../options.js';
import { deliveryJson, eventName } from './notification-json.js';

/** `kip notifications deliveries [ID]`: every attempt, newest first, with status, latency and the receiver's answer. */
export function notificationsDeliveriesCommand(notifications: Command, state: RunState): Command {
  return withOutput(
    notifications
      .command('deliveries')
      .description('recent notification attempts: status, latency, answer')
      .argument('[id]', 'only this channel (kip notifications list)')
      .option('-p, --project <project>', 'only channels of this project')
      .option('--limit <n>', 'how many attempts to show', parseIntOption('--limit', 1), 20),
  ).action(
    action(state, async (ctx, id: string | undefined, opts: { project?: string; limit: number }) => {
      const client = await ctx.client();
      const deliveries = (await client.request(NotificationDeliveriesQuery, { channel: id ?? null, project: opts.project ?? null, first: opts.limit })).notificationDeliveries;
      const now = ctx.now();
      if (deliveries.length === 0) {
        ctx.out.line('No notification deliveries yet.');
      } else {
        const rows = deliveries.map((d) => [
          relativeTime(d.at, now),
          ...(id ? [] : [d.channelId.slice(0, 8)]),
          eventName(d.event),
          d.revision ? `#${d.revision.number}` : '-',
          String(d.attempt),
          `${d.outcome.toLowerCase()}${d.statusCode !== null ? ` ${d.statusCode}` : ''}`,
          `${d.latencyMs} ms`,
          oneLine(answerOf(d)),
        ]);
        const header = ['WHEN', ...(id ? [] : ['CHANNEL']), 'EVENT', 'REVISION', 'ATTEMPT', 'RESULT', 'LATENCY', 'ANSWER'];
        for (const line of table(header, rows)) ctx.out.line(line);
      }
      ctx.out.result({ deliveries: deliveries.map(deliveryJson) });
    }),
  );
}

/** What the receiver said (the start of its body) or why there is no usable answer (no answer, a redirect, a refused address). */
function answerOf(d: { error: string | null; responseExcerpt: string | null }): string {
  if (d.error && !/^answered \d+$/.test(d.error)) return d.error;
  return d.responseExcerpt ?? '';
}

/** The start of an answer on one line of a table. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
