import { Field, ID, ObjectType } from 'type-graphql';
import { ActorKind } from '@kipper/core';

@ObjectType('AuditEntry', { description: 'One change: who made it, what, to what, from where and when.' })
export class AuditEntryType {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String, { description: 'A person\'s name, `token:NAME`, `ci:SUBJECT`, `webhook:SOURCE` or `kipper`.' }) actor!: string;
  @Field(() => ActorKind) actorKind!: ActorKind;
  @Field(() => String, { description: '`app.configure`, `revision.manual`, `webhook.enable`, …' }) action!: string;
  @Field(() => String, { description: '`namespace/app`, or a project name.' }) target!: string;
  @Field(() => String, { nullable: true, description: 'The caller\'s address; null for what Kipper did on its own.' }) sourceAddress!: string | null;
  @Field(() => String, { nullable: true, description: 'The X-Request-Id of the request that made the change.' }) requestId!: string | null;
}

@ObjectType('AuditPageInfo')
export class AuditPageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' }) endCursor!: string | null;
}

@ObjectType('AuditPage', { description: 'Audit entries newest first; `after` is the endCursor of the previous page.' })
export class AuditPageType {
  @Field(() => [AuditEntryType]) entries!: AuditEntryType[];
  @Field(() => AuditPageInfoType) pageInfo!: AuditPageInfoType;
}
