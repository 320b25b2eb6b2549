import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApprovalDecision, approversOf, ProjectRole, RevisionStatus, type AwaitingRevision, type Environment, type PromotionPreview, type Revision } from '@kipper/core';
import { appFor, projectFor } from '../access/access.guard.js';
import { AppRefInput } from '../apps/app.types.js';
import type { KipperContext } from '../graphql/context.js';
import { EnvironmentType } from '../projects/project.types.js';
import { RevisionType } from '../revisions/revision.types.js';
import { ApprovalResultType, ApprovalStateType, EnvironmentSettingsInput, PendingApprovalType, PromotionPreviewType } from './approval.types.js';

interface PendingView extends AwaitingRevision {
  approval: ApprovalStateType;
  canDecide: boolean;
}

function stateOf(environment: Environment, decisions: AwaitingRevision['decisions']): ApprovalStateType {
  return {
    required: Math.max(environment.requiredApprovals, 1),
    approved: decisions.filter((d) => d.decision === ApprovalDecision.APPROVE).length,
    approvers: approversOf(environment),
    decisions,
  };
}

@Resolver()
export class ApprovalResolver {
  @Query(() => [PendingApprovalType], { description: 'Revisions awaiting approval in the projects the caller can see (or in `project`), oldest first; `canDecide` marks those the caller may decide.' })
  async pendingApprovals(@Arg('project', () => String, { nullable: true }) project: string | null, @Ctx() ctx: KipperContext): Promise<PendingView[]> {
    const scope = project ? [(await projectFor(ctx, project, ProjectRole.VIEWER, 'Listing approvals')).id] : await ctx.services.access.visibleProjectIds(ctx.principal);
    const items = await ctx.services.approvals.awaiting(scope);
    const roles = new Map<string, string | null>();
    const out: PendingView[] = [];
    for (const item of items) {
      if (!roles.has(item.project.id)) roles.set(item.project.id, await ctx.services.access.projectRole(ctx.principal, item.project.id));
      const role = roles.get(item.project.id) ?? null;
      out.push({ ...item, approval: stateOf(item.environment, item.decisions), canDecide: ctx.services.approvals.canDecide(item, { actor: ctx.actor, role }) });
    }
    return out;
  }

  @Query(() => PromotionPreviewType, { description: 'What promoteApp(app, to) would change in the target: image and digest before and after, commits, setting differences, approvals needed, and why it would be refused. Changes nothing.' })
  async promotionPreview(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('to', () => String, { nullable: true }) to: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<PromotionPreview> {
    const app = await appFor(ctx, ref, ProjectRole.VIEWER, 'Previewing a promotion');
    return ctx.services.promotionPreview.preview(app, to);
  }

  @Mutation(() => ApprovalResultType, {
    description:
      'Approves a revision AWAITING_APPROVAL; with enough approvals it is queued and deploys. SELF_APPROVAL for the person who requested it, NOT_AN_APPROVER, ALREADY_DECIDED (each person counts once), NOT_AWAITING_APPROVAL.',
  })
  approveRevision(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('revision', () => Int) revision: number,
    @Arg('comment', () => String, { nullable: true }) comment: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<ApprovalResultType> {
    return decide(ctx, ref, revision, ApprovalDecision.APPROVE, comment);
  }

  @Mutation(() => ApprovalResultType, { description: 'Rejects a revision AWAITING_APPROVAL: it becomes REJECTED and never deploys. Same refusals as approveRevision.' })
  rejectRevision(
    @Arg('app', () => AppRefInput) ref: AppRefInput,
    @Arg('revision', () => Int) revision: number,
    @Arg('comment', () => String, { nullable: true }) comment: string | null,
    @Ctx() ctx: KipperContext,
  ): Promise<ApprovalResultType> {
    return decide(ctx, ref, revision, ApprovalDecision.REJECT, comment);
  }

  @Mutation(() => EnvironmentType, { description: 'Approvals, approvers, protection and freezes of an environment (project admins).' })
  async configureEnvironment(
    @Arg('project', () => String) projectName: string,
    @Arg('environment', () => String) environmentName: string,
    @Arg('input', () => EnvironmentSettingsInput) input: EnvironmentSettingsInput,
    @Ctx() ctx: KipperContext,
  ): Promise<Environment> {
    const project = await projectFor(ctx, projectName, ProjectRole.ADMIN, 'Changing an environment');
    const environment = await ctx.services.projects.environment(project.name, environmentName);
    return ctx.services.approvals.configureEnvironment(project, environment, input, ctx.actor);
  }
}

async function decide(ctx: KipperContext, ref: AppRefInput, number: number, decision: ApprovalDecision, comment: string | null): Promise<ApprovalResultType> {
  // Viewers named as approvers (user:NAME) may decide: the approvers rule, checked in core, is what counts.
  const app = await appFor(ctx, ref, ProjectRole.VIEWER, decision === ApprovalDecision.APPROVE ? 'Approving' : 'Rejecting');
  const role = await ctx.services.access.projectRole(ctx.principal, app.projectId);
  const result = await ctx.services.approvals.decide(app, number, { actor: ctx.actor, role }, decision, comment);
  return { revision: result.revision, approved: result.approvals, required: result.required };
}

@Resolver(() => EnvironmentType)
export class EnvironmentApprovalResolver {
  @FieldResolver(() => [String], { description: 'Who may approve deploys here: role:admin, role:deployer, user:NAME (default role:admin).' })
  approvers(@Root() environment: Environment): string[] {
    return approversOf(environment);
  }
}

@Resolver(() => RevisionType)
export class RevisionApprovalResolver {
  @FieldResolver(() => ApprovalStateType, { nullable: true, description: 'Null unless the revision awaited approval: the decisions and how many it needs.' })
  async approval(@Root() revision: Revision, @Ctx() ctx: KipperContext): Promise<ApprovalStateType | null> {
    const decisions = await ctx.services.approvals.decisionsOf(revision.id);
    if (revision.status !== RevisionStatus.AWAITING_APPROVAL && decisions.length === 0) return null;
    const app = await ctx.loaders.app.load(revision.appId);
    const environment = app ? await ctx.loaders.environment.load(app.environmentId) : null;
    return environment ? stateOf(environment, decisions) : null;
  }
}
