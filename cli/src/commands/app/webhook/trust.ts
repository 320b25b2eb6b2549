import { TrustWebhookIssuerMutation } from '@kipper/client';
import type { Command } from 'commander';
import { action, type RunState } from '../../../action.js';
import { trustLines } from '../../../format.js';
import { appRef, refFlags, withAppRef, withOutput, type AppRefOptions } from '../../../options.js';

interface TrustOptions extends AppRefOptions {
  issuer: string;
  subject: string;
  audience?: string;
}

/** `kip app webhook trust APP --issuer URL --subject PATTERN [--audience A]`: keyless CI. */
export function webhookTrustCommand(webhook: Command, state: RunState): Command {
  return withAppRef(
    withOutput(
      webhook
        .command('trust')
        .description('let a CI identity deploy with its OIDC token (keyless CI): no shared secret')
        .argument('<app>', 'app name')
        .requiredOption('--issuer <url>', 'OIDC issuer: https://token.actions.githubusercontent.com (GitHub Actions), https://gitlab.com (GitLab)')
        .requiredOption('--subject <pattern>', "the token's sub, * matching anything: 'repo:acme/api:ref:refs/heads/main', 'project_path:acme/api:ref_type:branch:ref:main'")
        .option('--audience <aud>', "expected in the token's aud (default kipper)"),
    ),
  ).action(
    action(state, async (ctx, name: string, opts: TrustOptions) => {
      const ref = appRef(name, opts);
      const client = await ctx.client();
      const trust = (await client.request(TrustWebhookIssuerMutation, { app: ref, issuer: opts.issuer, subject: opts.subject, audience: opts.audience ?? null })).trustWebhookIssuer;
      ctx.out.success(`Webhook of ${name} trusts this CI identity:`);
      for (const line of trustLines(trust)) ctx.out.line(`  ${line}`);
      ctx.out.line(`Its OIDC tokens deploy ${name} with Authorization: Bearer; each token once.`);
      const ci = trust.issuer.includes('gitlab') ? 'gitlab' : 'github';
      ctx.out.line(`Snippet: kip app webhook enable ${name}${refFlags(ref)} --ci ${ci} --keyless${trust.audience === 'kipper' ? '' : ` --audience ${trust.audience}`}`);
      ctx.out.result({ app: name, trust });
    }),
  );
}
