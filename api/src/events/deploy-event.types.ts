import { Field, ObjectType } from 'type-graphql';
import { DeployEventType } from '@kipper/core';

/** Built from a DeployEventPayload; `revision` is read from the database when asked for. */
@ObjectType('DeployEvent')
export class DeployEventObject {
  @Field(() => DeployEventType) type!: DeployEventType;
  @Field(() => Date) at!: Date;
  @Field(() => String) namespace!: string;
  @Field(() => String) app!: string;
  @Field(() => String, { nullable: true }) message!: string | null;
  revisionId!: string;
}
