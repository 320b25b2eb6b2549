import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('Project')
export class ProjectType {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'DNS label; the first half of every namespace of the project.' }) name!: string;
  @Field(() => String) displayName!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType('Environment', { description: 'One stage of a project\'s promotion pipeline and the namespace `{project}-{environment}` it deploys to.' })
export class EnvironmentType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Int, { description: 'Order in the pipeline, 0 first.' }) position!: number;
  @Field(() => String) namespace!: string;
  @Field(() => Int, { description: 'Approvals a deploy into it needs before it rolls out (0: none).' }) requiredApprovals!: number;
  @Field(() => Boolean, { description: 'Promotions into it ask for its name to be typed (console).' }) protected!: boolean;
  @Field(() => String, { nullable: true, description: 'Set while frozen: every deploy is refused with this reason, except a project admin\'s rollback.' }) frozenReason!: string | null;
  @Field(() => String, { nullable: true }) frozenBy!: string | null;
  @Field(() => Date, { nullable: true }) frozenAt!: Date | null;
}

@InputType('CreateProjectInput')
export class CreateProjectInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => [String], { nullable: true, description: 'Ordered promotion pipeline; default test, acc, prod' }) environments?: string[] | null;
}
