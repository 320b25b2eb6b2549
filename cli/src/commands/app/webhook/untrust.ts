import { UntrustWebhookIssuerMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { UsageError } from '../../../errors.js';
import { trustLines } from '../../../format.js';
import { appRef, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';

interface UntrustOptions extends AppRefOptions {
  id?: string;
  issuer?: string;
  subject?: string;
  audience?: string;
}

/** `kip app webhook untrust APP --issuer URL --subject PATTERN | --id ID`: its tokens stop working at once. */
export function webhookUntrustCommand(webhook: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      webhook
        .command('untrust')
        .description('stop trusting a CI identity (by --issuer and --subject, or --id)')
        .argument('<app>', 'app name')
        .option('--issuer <url>', 'OIDC issuer of the trust')
        .option('--subject <pattern>', 'subject pattern of the trust, as trusted')
        .option('--audience <aud>', 'only the trust with this audience')
        .option('--id <id>', 'the trust id (kip app webhook status APP -o json)'),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: UntrustOptions) => {
      const byName = opts.issuer !== undefined || opts.subject !== undefined;
      if (opts.id !== undefined ? byName : !(opts.issuer && opts.subject)) {
        throw new UsageError('Name the trust with --issuer and --subject (and --audience), or with --id.');
      }
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const removed = (
        await client.request(UntrustWebhookIssuerMutation, { app: ref, id: opts.id ?? null, issuer: opts.issuer ?? null, subject: opts.subject ?? null, audience: opts.audience ?? null })
      ).untrustWebhookIssuer;
      ctx.out.success(`Webhook of ${name} no longer trusts ${removed.length === 1 ? 'this CI identity' : `these ${removed.length} CI identities`}:`);
      for (const trust of removed) for (const line of trustLines(trust)) ctx.out.line(`  ${line}`);
      ctx.out.line('Its tokens are refused from now on.');
      ctx.out.result({ app: name, removed });
    }),
  );
}
