import { NotificationChannelsQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { table } from '../../format.js';
import { withOutput } from '../../options.js';
import { channelJson, deliveryJson, eventsText, lastDeliveryText, scopeText } from './notification-json.js';

/** `kip notifications list [--project P] [--app A]`: `ID  KIND  FOR  URL  EVENTS  LAST DELIVERY`. */
export function notificationsListCommand(notifications: Command, state: RunState): Command {
  return withOutput(
    notifications
      .command('list')
      .description('list notification channels and how their last delivery went')
      .option('-p, --project <project>', 'only channels of this project')
      .option('--app <app>', 'only channels that send for this app (its own and its project\'s)')
      .option('-e, --environment <environment>', 'environment of --app'),
  ).action(
    action(state, async (ctx, opts: { project?: string; app?: string; environment?: string }) => {
      const client = await ctx.client();
      const app = opts.app ? { name: opts.app, project: opts.project ?? null, environment: opts.environment ?? null } : null;
      const channels = (await client.request(NotificationChannelsQuery, { project: app ? null : (opts.project ?? null), app, deliveries: 1 })).notificationChannels;
      const now = ctx.now();
      if (channels.length === 0) {
        ctx.out.line('No notification channels yet. Add one with `kip notifications add --project PROJECT --url URL`.');
      } else {
        const rows = channels.map((c) => [c.id, c.kind.toLowerCase(), scopeText(c), c.url, eventsText(c.events), lastDeliveryText(c.deliveries, now)]);
        for (const line of table(['ID', 'KIND', 'FOR', 'URL', 'EVENTS', 'LAST DELIVERY'], rows)) ctx.out.line(line);
      }
      ctx.out.result({ channels: channels.map((c) => ({ ...channelJson(c), lastDelivery: c.deliveries[0] ? deliveryJson(c.deliveries[0]) : null })) });
    }),
  );
}
