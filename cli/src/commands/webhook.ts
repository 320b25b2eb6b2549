import { Option, type Command } from 'commander';
import { jsonEnum, relativeTime, snippetBlock, table, word, type SnippetKind } from '../format.js';
import {
  DeliveriesQuery,
  DisableWebhookMutation,
  EnableWebhookMutation,
  WebhookSecretQuery,
  WebhookStateQuery,
} from '../graphql/operations.js';
import { action, appRef, parseIntOption, refFlags, withAppRef, withOutput, type AppRefOptions, type RunState } from './common.js';
import { notFound } from './app.js';

export function registerWebhook(app: Command, state: RunState): void {
  const webhook = app.command('webhook').description('enable, show or disable the deploy webhook');

  withAppRef(
    withOutput(
      webhook
        .command('enable')
        .description('enable it (again: new token); print URL, token, snippet')
        .argument('<app>', 'app name')
        .addOption(
          new Option('--ci <provider>', 'which CI snippet to print').choices(['gitlab', 'github', 'none']).default('gitlab'),
        ),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { ci: SnippetKind }) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const before = (await client.request(WebhookStateQuery, { app: ref })).app;
      if (!before) throw notFound(name, opts);
      const secret = (await client.request(EnableWebhookMutation, { app: ref })).enableWebhook;
      ctx.out.success(`Webhook enabled for ${name}`);
      ctx.out.line(`Webhook URL: ${secret.url}`);
      ctx.out.line(`Secret token: ${secret.token}`);
      for (const line of snippetBlock(secret.snippets, opts.ci)) ctx.out.line(line);
      if (before.webhook.enabled) {
        ctx.out.line();
        ctx.out.line('The token was regenerated: the previous one no longer works.');
      }
      ctx.out.result({
        app: name,
        namespace: before.namespace,
        enabled: true,
        regenerated: before.webhook.enabled,
        url: secret.url,
        token: secret.token,
        snippets: secret.snippets,
        createdAt: secret.webhook.createdAt,
        rotatedAt: secret.webhook.rotatedAt,
      });
    }),
  );

  withAppRef(
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
      if (!a) throw notFound(name, opts);
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

  withAppRef(
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

  withAppRef(
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
      if (!a) throw notFound(name, opts);
      const now = ctx.now();
      if (a.deliveries.length === 0) {
        ctx.out.line(`No webhook deliveries for ${name} yet.`);
      } else {
        for (const line of table(
          ['WHEN', 'SOURCE', 'EVENT', 'STATUS', 'OUTCOME', 'REVISION', 'MESSAGE'],
          a.deliveries.map((d) => [
            relativeTime(d.receivedAt, now),
            word(d.source),
            d.event,
            String(d.statusCode),
            word(d.outcome),
            d.revision ? `#${d.revision.number}` : '-',
            d.message ?? '',
          ]),
        )) {
          ctx.out.line(line);
        }
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
