import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ApprovalDecision, type ErrorCode } from '@kipper/core';
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

@ObjectType('PreviewCommit')
export class PreviewCommitType {
  @Field(() => String) sha!: string;
  @Field(() => String) subject!: string;
}

@ObjectType('SettingDifference', { description: 'A setting that differs between the source app and the target app (values of secret-looking env vars masked).' })
export class SettingDifferenceType {
  @Field(() => String, { description: '`replicas`, `port` or `env:NAME`.' }) setting!: string;
  @Field(() => String, { nullable: true }) source!: string | null;
  @Field(() => String, { nullable: true }) target!: string | null;
}

@ObjectType('PromotionPreview', { description: 'What promoteApp would change in the target, computed without changing anything.' })
export class PromotionPreviewType {
  @Field(() => String) app!: string;
  @Field(() => String) project!: string;
  @Field(() => String) from!: string;
  @Field(() => String) to!: string;
  @Field(() => Boolean, { description: 'The target environment is protected: the console asks for its name to be typed.' }) toProtected!: boolean;
  @Field(() => RevisionType, { nullable: true, description: 'The source\'s current revision (what would be promoted).' }) source!: RevisionType | null;
  @Field(() => RevisionType, { nullable: true, description: 'What the target app runs now.' }) target!: RevisionType | null;
  @Field(() => Boolean) targetExists!: boolean;
  @Field(() => String, { nullable: true, description: 'What the target would deploy: `repository@sha256:…`.' }) image!: string | null;
  @Field(() => String, { nullable: true }) imageTag!: string | null;
  @Field(() => [PreviewCommitType], { nullable: true, description: 'Commits between the target\'s and the source\'s (newest first, at most 50); null with commitsNote when not listed.' }) commits!: PreviewCommitType[] | null;
  @Field(() => String, { nullable: true }) commitsNote!: string | null;
  @Field(() => [SettingDifferenceType]) differences!: SettingDifferenceType[];
  @Field(() => Int) requiredApprovals!: number;
  @Field(() => [String]) approvers!: string[];
  @Field(() => String, { nullable: true }) frozenReason!: string | null;
  @Field(() => String, { nullable: true, description: 'Why promoteApp would be refused now (an ErrorCode: NOTHING_TO_PROMOTE, DIGEST_UNKNOWN, APP_NOT_FOUND, ENVIRONMENT_FROZEN), or null.' }) blockedCode!: ErrorCode | null;
  @Field(() => String, { nullable: true }) blocked!: string | null;
}
