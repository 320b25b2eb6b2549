import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ApprovalDecision } from '@kipper/core';
import { registerEnumType } from 'type-graphql';
import { AppType } from '../apps/app.types.js';
import { EnvironmentType, ProjectType } from '../projects/project.types.js';
import { RevisionType } from '../revisions/revision.types.js';

registerEnumType(ApprovalDecision, { name: 'ApprovalDecision', description: 'An approver\'s answer to a revision awaiting approval.' });

@ObjectType('ApprovalDecisionEntry')
export class ApprovalDecisionType {
  @Field(() => String) actor!: string;
  @Field(() => ApprovalDecision) decision!: ApprovalDecision;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => Date, { description: 'When it was decided.' }) createdAt!: Date;
}

@ObjectType('ApprovalState', { description: 'A revision into an environment that requires approvals: who decided, and how many approvals it needs.' })
export class ApprovalStateType {
  @Field(() => Int) required!: number;
  @Field(() => Int) approved!: number;
  @Field(() => [String], { description: 'Who may approve: role:admin, role:deployer, user:NAME.' }) approvers!: string[];
  @Field(() => [ApprovalDecisionType]) decisions!: ApprovalDecisionType[];
}

@ObjectType('PendingApproval', { description: 'A revision awaiting approval, in a project the caller can see.' })
export class PendingApprovalType {
  @Field(() => RevisionType) revision!: RevisionType;
  @Field(() => AppType) app!: AppType;
  @Field(() => EnvironmentType) environment!: EnvironmentType;
  @Field(() => ProjectType) project!: ProjectType;
  @Field(() => ApprovalStateType) approval!: ApprovalStateType;
  @Field(() => Boolean, { description: 'The caller may approve or reject it (an approver who did not request it and has not decided yet).' }) canDecide!: boolean;
}

@ObjectType('ApprovalResult')
export class ApprovalResultType {
  @Field(() => RevisionType, { description: 'The revision after the decision: still AWAITING_APPROVAL, QUEUED (enough approvals), or REJECTED.' }) revision!: RevisionType;
  @Field(() => Int) approved!: number;
  @Field(() => Int) required!: number;
}

@InputType('EnvironmentSettingsInput', { description: 'Omitted fields stay as they are.' })
export class EnvironmentSettingsInput {
  @Field(() => Int, { nullable: true, description: 'Approvals a deploy needs (0: none, at most 10).' }) approvals?: number | null;
  @Field(() => [String], { nullable: true, description: 'role:viewer|deployer|admin or user:NAME; an empty list means role:admin.' }) approvers?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Promotions into it ask for the environment name to be typed (console).' }) protected?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Freeze with this reason: every deploy is refused (ENVIRONMENT_FROZEN) except a project admin\'s rollback.' }) freeze?: string | null;
  @Field(() => Boolean, { nullable: true }) unfreeze?: boolean | null;
}
