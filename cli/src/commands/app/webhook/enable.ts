import { EnableWebhookMutation, WebhookStateQuery } from '@kipper/client';
import { Option, type Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appNotFound } from '../../../errors.js';
import { snippetBlock, type SnippetKind } from '../../../format.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';
import { printKeyless } from './keyless.js';

/**
 * `kip app webhook enable APP [--ci …] [--wait]`: URL, token and CI snippet; on an enabled webhook, a new token.
 * With `--keyless`: the keyless CI snippet and its `kip app webhook trust` line, no token.
 */
export function webhookEnableCommand(webhook: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      webhook
        .command('enable')
        .description('enable it (again: new token); print URL, token, snippet')
        .argument('<app>', 'app name')
        .addOption(
          new Option('--ci <provider>', 'which CI snippet to print').choices(['gitlab', 'github', 'none']).default('gitlab'),
        )
        .option('--wait', 'print the snippet that also waits for the rollout: the job fails when the deploy fails')
        .option('--keyless', "print the keyless snippet (the CI's OIDC token, see kip app webhook trust); the token is left alone")
        .option('--audience <aud>', 'with --keyless: the audience the snippet asks its token for (default kipper)'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions & { ci: SnippetKind; wait?: boolean; keyless?: boolean; audience?: string }) => {
      if (opts.keyless) return printKeyless(ctx, name, opts);
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const before = (await client.request(WebhookStateQuery, { app: ref })).app;
      if (!before) throw appNotFound(name, opts);
      const secret = (await client.request(EnableWebhookMutation, { app: ref })).enableWebhook;
      ctx.out.success(`Webhook enabled for ${name}`);
      ctx.out.line(`Webhook URL: ${secret.url}`);
      ctx.out.line(`Secret token: ${secret.token}`);
      for (const line of snippetBlock(secret.snippets, opts.ci, opts.wait === true)) ctx.out.line(line);
      if (opts.ci !== 'none' && !opts.wait) ctx.out.line('Add --wait for a snippet whose job also waits for the rollout and fails when it fails.');
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
}
