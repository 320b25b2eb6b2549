import { Field, ID, Int, ObjectType } from 'type-graphql';
import { RevisionStatus, RevisionTrigger } from '@kipper/core';

@ObjectType('RolloutProgress')
export class RolloutProgressType {
  @Field(() => Int, { description: 'Pods of the new ReplicaSet.' }) updated!: number;
  @Field(() => Int, { description: 'Pods of the new ReplicaSet that are ready.' }) ready!: number;
  @Field(() => Int) desired!: number;
  /** Resolved (0 when unknown): progress recorded before these were counted has neither. */
  available?: number;
  old?: number;
}

@ObjectType('PromotionSource')
export class PromotionSourceType {
  @Field(() => String) namespace!: string;
  @Field(() => String) environment!: string;
  @Field(() => String) app!: string;
  @Field(() => Int) revision!: number;
}

@ObjectType('Revision')
export class RevisionType {
  @Field(() => ID) id!: string;
  @Field(() => Int) number!: number;
  @Field(() => String, { nullable: true, description: 'What the Deployment runs; a promotion deploys the source\'s digest (`repository@sha256:…`).' }) image!: string | null;
  @Field(() => String, { nullable: true, description: 'Promotions: the tag the pinned image is known by (e.g. `registry.example.com/api:main`), for display.' }) imageTag!: string | null;
  @Field(() => String, { nullable: true, description: '`sha256:…` the pods ran once the revision went live (their containerStatuses[].imageID); null before, or when the cluster reported none.' }) digest!: string | null;
  @Field(() => String, { nullable: true }) commit!: string | null;
  @Field(() => RevisionTrigger) trigger!: RevisionTrigger;
  @Field(() => String) triggeredBy!: string;
  @Field(() => RevisionStatus) status!: RevisionStatus;
  @Field(() => String, { nullable: true }) failureReason!: string | null;
  @Field(() => RolloutProgressType, { nullable: true }) progress!: RolloutProgressType | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Int, { nullable: true }) endCursor!: number | null;
}

@ObjectType('RevisionConnection', { description: 'Revisions newest first; `after` is a revision number (the endCursor of the previous page).' })
export class RevisionConnectionType {
  @Field(() => [RevisionType]) nodes!: RevisionType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  @Field(() => Int) totalCount!: number;
}

@ObjectType('CancelResult')
export class CancelResultType {
  @Field(() => [RevisionType], { description: 'The revisions stopped (queued, building or rolling out), oldest first.' }) cancelled!: RevisionType[];
  @Field(() => RevisionType, { nullable: true, description: 'When a rollout was stopped: the new ROLLBACK revision that deploys the last live image again.' }) rollback!: RevisionType | null;
}
