import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { checkAudience, ErrorCode, KipperError, keylessCiSnippets, ProjectRole, type CiSnippets, type UntrustInput, type WebhookStatus, type WebhookTrust } from '@kipper/core';
import { appFor } from '../access/access.guard.js';
import { AppRefInput } from '../apps/app.types.js';
import type { KipperContext } from './context.js';
import { WebhookTrustType } from './webhook-trust.types.js';
import { CiSnippetsType, WebhookType } from './webhook.types.js';

/** GraphQL over WebhookTrustService (keyless CI); no logic of its own. */
@Resolver()
export class WebhookTrustResolver {
  @Mutation(() => WebhookTrustType, {
    description:
      'Trusts a CI identity: the webhook then accepts `Authorization: Bearer <OIDC token>` from it. issuer: https URL (plain http and private addresses only with KIPPER_CI_ISSUER_ALLOW_PRIVATE=true); subject: exact or with * wildcards after the owner; audience: default kipper. Trusting the same again changes nothing. VALIDATION_FAILED for a wrong value.',
  })
  async trustWebhookIssuer(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('issuer', () => String) issuer: string,
    @Arg('subject', () => String) subject: string,
    @Arg('audience', () => String, { nullable: true }) audience: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<WebhookTrust> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Trusting a CI identity');
    return ctx.services.webhookTrusts.trust(app, { issuer, subject, audience }, ctx.actor);
  }

  @Mutation(() => [WebhookTrustType], {
    description: 'Stops trusting CI identities: the one with `id`, or those of `issuer` and `subject` (and `audience` when given). Returns what was removed; WEBHOOK_TRUST_NOT_FOUND when nothing matches.',
  })
  async untrustWebhookIssuer(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('issuer', () => String, { nullable: true }) issuer: string | null,
    @Arg('subject', () => String, { nullable: true }) subject: string | null,
    @Arg('audience', () => String, { nullable: true }) audience: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<WebhookTrust[]> {
    const app = await appFor(ctx, ref, ProjectRole.DEPLOYER, 'Removing a trusted CI identity');
    return ctx.services.webhookTrusts.untrust(app, untrustInput(id, issuer, subject, audience), ctx.actor);
  }
}

function untrustInput(id: string | null, issuer: string | null, subject: string | null, audience: string | null): UntrustInput {
  if (id && !issuer && !subject) return { id };
  if (!id && issuer && subject) return { issuer, subject, audience };
  throw new KipperError(ErrorCode.VALIDATION_FAILED, 'Name the trust to remove either by id, or by issuer and subject (and audience)');
}

@Resolver(() => WebhookType)
export class WebhookTrustsResolver {
  @FieldResolver(() => [WebhookTrustType], { description: 'The CI identities this webhook trusts (keyless CI), oldest first; they work whether or not the token is enabled.' })
  trusts(@Root() webhook: WebhookStatus, @Ctx() ctx: KipperContext): Promise<WebhookTrust[]> {
    return ctx.services.webhookTrusts.list(webhook.appId);
  }

  @FieldResolver(() => CiSnippetsType, { description: 'CI snippets that deploy with the pipeline\'s OIDC token instead of the shared token (GitHub Actions: permissions id-token: write; GitLab: id_tokens).' })
  async keylessSnippets(
    @Root() webhook: WebhookStatus,
    @Arg('audience', () => String, { defaultValue: 'kipper' }) audience: string,
    @Ctx() ctx: KipperContext,
  ): Promise<CiSnippets> {
    const checked = checkAudience(audience);
    if (!checked.ok) throw new KipperError(ErrorCode.VALIDATION_FAILED, `The ${checked.problem}`);
    const app = await ctx.loaders.app.load(webhook.appId);
    if (!app) throw new KipperError(ErrorCode.APP_NOT_FOUND, 'The app was deleted meanwhile');
    return keylessCiSnippets(webhook.url, app.source, checked.value);
  }
}
