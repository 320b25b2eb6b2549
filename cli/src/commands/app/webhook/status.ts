import { KipperClientError, WebhookSecretQuery, WebhookStateQuery, type KipperClient, type WebhookSecret } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { appNotFound } from '../../../errors.js';
import { relativeTime, trustLines } from '../../../format.js';
import { appRef, refFlags, withAppRef, withOutput, type AppRef, type AppRefOptions } from '../../../options.js';

/**
 * The token, or why it cannot be shown: the webhook's Secret is gone from the cluster (flagged by
 * the reconciler, or found gone right now). Status never fails on that: it says what to run.
 */
async function readSecret(client: KipperClient, ref: AppRef, missing: string | null): Promise<{ secret: WebhookSecret | null; missing: string | null }> {
  if (missing) return { secret: null, missing };
  try {
    return { secret: (await client.request(WebhookSecretQuery, { app: ref })).webhookSecret, missing: null };
  } catch (error) {
    if (error instanceof KipperClientError && error.code === 'WEBHOOK_SECRET_MISSING') return { secret: null, missing: error.message };
    throw error;
  }
}

/** `kip app webhook status APP`: enabled or not; when enabled, its URL and token (or why the token is gone). */
export function webhookStatusCommand(webhook: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      webhook
        .command('status')
        .description('show whether it is enabled, its URL and token, and the CI identities it trusts')
        .argument('<app>', 'app name'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: AppRefOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const a = (await client.request(WebhookStateQuery, { app: ref })).app;
      if (!a) throw appNotFound(name, opts);
      const { secret, missing } = a.webhook.enabled ? await readSecret(client, ref, a.webhookSecretMissing) : { secret: null, missing: null };
      if (a.webhook.enabled) {
        const since = a.webhook.rotatedAt ?? a.webhook.createdAt;
        ctx.out.line(`Webhook for ${name} (${a.namespace}): enabled${since ? `, token from ${relativeTime(since, ctx.now())}` : ''}`);
        ctx.out.line(`Webhook URL: ${secret?.url ?? a.webhook.url}`);
        if (secret) {
          ctx.out.line(`Secret token: ${secret.token}`);
        } else {
          ctx.out.line('Secret token: unavailable');
          ctx.out.line(`Warning: ${missing ?? 'the token could not be read'}`);
          ctx.out.line('Until then X-Kipper-Token and X-Gitlab-Token still work with the old token; GitHub signatures are refused.');
        }
      } else {
        ctx.out.line(`Webhook for ${name} (${a.namespace}): not enabled`);
        ctx.out.line(`Enable it with: kip app webhook enable ${name}${refFlags(ref)}`);
      }
      const { trusts } = a.webhook;
      if (trusts.length === 0) {
        ctx.out.line(`Trusted CI identities: none (keyless CI: kip app webhook trust ${name}${refFlags(ref)} --issuer URL --subject PATTERN)`);
      } else {
        ctx.out.line(`Trusted CI identities (keyless CI, Authorization: Bearer): ${trusts.length}`);
        for (const trust of trusts) {
          ctx.out.line(`- ${trust.id}, by ${trust.createdBy} ${relativeTime(trust.createdAt, ctx.now())}`);
          for (const line of trustLines(trust)) ctx.out.line(`    ${line}`);
        }
      }
      ctx.out.result({
        app: name,
        namespace: a.namespace,
        enabled: a.webhook.enabled,
        url: secret?.url ?? a.webhook.url,
        token: secret?.token ?? null,
        createdAt: a.webhook.createdAt,
        rotatedAt: a.webhook.rotatedAt,
        secretMissing: missing,
        secretMissingSince: a.webhook.secretMissingSince,
        trusts,
      });
    }),
  );
}
