import { Field, ObjectType } from 'type-graphql';
import { DeployEventType } from '@kipper/core';
import { AppHealthType } from '../apps/app.types.js';

/** Built from a DeployEventPayload; `revision` is read from the database when asked for. */
@ObjectType('DeployEvent')
export class DeployEventObject {
  @Field(() => DeployEventType) type!: DeployEventType;
  @Field(() => Date) at!: Date;
  @Field(() => String) namespace!: string;
  @Field(() => String) app!: string;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => AppHealthType, { nullable: true, description: 'The app\'s health when the event was published (the new health of a HEALTH event), when known.' }) health!: AppHealthType | null;
  revisionId!: string;
}
