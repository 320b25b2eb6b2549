import { Field, ID, Int, ObjectType } from 'type-graphql';
import { BuildStatus } from '@kipper/core';

@ObjectType('Build')
export class BuildType {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => String, { nullable: true }) commit!: string | null;
  @Field(() => BuildStatus) status!: BuildStatus;
  @Field(() => String, { nullable: true }) image!: string | null;
  @Field(() => String, { nullable: true }) failureReason!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType('BuildLogLine')
export class BuildLogLineType {
  @Field(() => ID) buildId!: string;
  @Field(() => String) line!: string;
}
