import { WebhookSecretQuery, WebhookStateQuery } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appNotFound } from '../../../errors.js';
import { relativeTime } from '../../../format.js';
import { appRef, refFlags, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';

/** `kip app webhook status APP`: enabled or not; when enabled, its URL and token. */
export function webhookStatusCommand(webhook: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      webhook
        .command('status')
        .description('show whether it is enabled, its URL and token')
        .argument('<app>', 'app name'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(WebhookStateQuery, { app: ref })).app;
      if (!a) throw appNotFound(name, opts);
      const secret = a.webhook.enabled ? (await client.request(WebhookSecretQuery, { app: ref })).webhookSecret : null;
      if (a.webhook.enabled && secret) {
        const since = secret.webhook.rotatedAt ?? secret.webhook.createdAt;
        ctx.out.line(`Webhook for ${name} (${a.namespace}): enabled${since ? `, token from ${relativeTime(since, ctx.now())}` : ''}`);
        ctx.out.line(`Webhook URL: ${secret.url}`);
        ctx.out.line(`Secret token: ${secret.token}`);
      } else {
        ctx.out.line(`Webhook for ${name} (${a.namespace}): not enabled`);
        ctx.out.line(`Enable it with: kip app webhook enable ${name}${refFlags(ref)}`);
      }
      ctx.out.result({
        app: name,
        namespace: a.namespace,
        enabled: a.webhook.enabled,
        url: secret?.url ?? a.webhook.url,
        token: secret?.token ?? null,
        createdAt: a.webhook.createdAt,
        rotatedAt: a.webhook.rotatedAt,
      });
    }),
  );
}
