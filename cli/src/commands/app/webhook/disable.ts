import { DisableWebhookMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';

/** `kip app webhook disable APP`: its token stops working at once. */
export function webhookDisableCommand(webhook: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      webhook.command('disable').description('disable the webhook; its token stops working').argument('<app>', 'app name'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const result = (await client.request(DisableWebhookMutation, { app: ref })).disableWebhook;
      ctx.out.success(`Webhook disabled for ${name}`);
      ctx.out.line('Its token no longer works.');
      ctx.out.result({ app: name, enabled: result.enabled, url: result.url });
    }),
  );
}
