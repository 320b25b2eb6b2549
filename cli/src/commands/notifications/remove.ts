import { DeleteNotificationChannelMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../action.js';
import { withOutput } from '../../options.js';
import { channelJson, scopeText } from './notification-json.js';

/** `kip notifications remove ID`: the channel, its delivery record and its Secret go. */
export function notificationsRemoveCommand(notifications: Command, state: RunState): Command {
  return withOutput(
    notifications.command('remove').description('remove a notification channel').argument('<id>', 'channel id (kip notifications list)'),
  ).action(
    action(state, async (ctx, id: string) => {
      const client = await ctx.client();
      const removed = (await client.request(DeleteNotificationChannelMutation, { id })).deleteNotificationChannel;
      ctx.out.success(`Removed the notification channel of ${scopeText(removed)} to ${removed.url}`);
      ctx.out.result({ removed: channelJson(removed) });
    }),
  );
}
