import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DeliverySource } from '@kipper/core';
import { DeliveryOutcomeEnum } from './enums.js';

// GraphQL shapes of WebhookService / DeliveryService results.

@ObjectType('Webhook')
export class WebhookType {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String) url!: string;
  @Field(() => Date, { nullable: true }) createdAt!: Date | null;
  @Field(() => Date, { nullable: true }) rotatedAt!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'Since when the Secret holding the token is gone from the cluster (the reconciler noticed); null when it is there. Issue a new token with enableWebhook.',
  })
  secretMissingSince!: Date | null;
}

@ObjectType('CiSnippets')
export class CiSnippetsType {
  @Field(() => String) gitlabCi!: string;
  @Field(() => String) githubActions!: string;
}

@ObjectType('WebhookSecret')
export class WebhookSecretType {
  @Field(() => String) url!: string;
  @Field(() => String, { description: '64 hex characters; shown by enableWebhook and webhookSecret, never stored in plain text by Kipper\'s database' }) token!: string;
  @Field(() => CiSnippetsType) snippets!: CiSnippetsType;
  @Field(() => WebhookType) webhook!: WebhookType;
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryType {
  @Field(() => ID) id!: string;
  @Field(() => Date) receivedAt!: Date;
  @Field(() => DeliverySource) source!: DeliverySource;
  @Field(() => String) event!: string;
  @Field(() => DeliveryOutcomeEnum) outcome!: string;
  @Field(() => Int) statusCode!: number;
  @Field(() => String, { nullable: true }) message!: string | null;
}
