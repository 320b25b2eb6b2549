import { KeylessSnippetsQuery } from '@kipper/client';
import type { Context } from '../../../action.js';
import { appNotFound } from '../../../errors.js';
import { snippetBlock, trustLines, type SnippetKind } from '../../../format.js';
import { appRef, refFlags, type AppRefOptions } from '../../../options.js';

/** The issuer and a subject to adapt, per CI, for the printed `kip app webhook trust` line. */
const TRUST_TEMPLATES = {
  github: { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:OWNER/REPO:ref:refs/heads/main' },
  gitlab: { issuer: 'https://gitlab.com', subject: 'project_path:GROUP/PROJECT:ref_type:branch:ref:main' },
} as const;

/**
 * `kip app webhook enable APP --keyless`: the keyless CI snippet (the job's OIDC token instead of
 * the shared token) and the `kip app webhook trust` line it needs. The shared token is left
 * alone: neither issued nor regenerated.
 */
export async function printKeyless(ctx: Context, name: string, opts: AppRefOptions & { ci: SnippetKind; wait?: boolean; audience?: string }): Promise<void> {
  const ref = appRef(name, opts);
  const audience = opts.audience ?? 'kipper';
  const client = await ctx.client();
  const a = (await client.request(KeylessSnippetsQuery, { app: ref, audience })).app;
  if (!a) throw appNotFound(name, opts);
  const { trusts, keylessSnippets, url } = a.webhook;
  ctx.out.success(`Keyless CI for ${name}: the pipeline's OIDC token, no shared secret`);
  ctx.out.line(`Webhook URL: ${url}`);
  for (const line of snippetBlock(keylessSnippets, opts.ci, opts.wait === true, ', keyless')) ctx.out.line(line);
  const template = opts.ci === 'none' ? null : TRUST_TEMPLATES[opts.ci];
  const trustCommand = template
    ? `kip app webhook trust ${name}${refFlags(ref)} --issuer ${template.issuer} --subject '${template.subject}'${audience === 'kipper' ? '' : ` --audience ${audience}`}`
    : null;
  ctx.out.line();
  if (trusts.length === 0) {
    ctx.out.line(`${name} trusts no CI identity yet: deploys with this snippet are refused (401) until you run, with your repository:`);
  } else {
    ctx.out.line(`${name} trusts ${trusts.length === 1 ? 'this CI identity' : `these ${trusts.length} CI identities`}:`);
    for (const trust of trusts) for (const line of trustLines(trust)) ctx.out.line(`  ${line}`);
    if (trustCommand) ctx.out.line('Trust another pipeline with:');
  }
  if (trustCommand) ctx.out.line(`  ${trustCommand}`);
  ctx.out.result({ app: name, namespace: a.namespace, keyless: true, url, audience, snippets: keylessSnippets, trusts, trustCommand });
}
