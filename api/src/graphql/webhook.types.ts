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
  @Field(() => String, { description: "A GitLab CI job that sends the pipeline's image (a git app: its commit) to the webhook; the job fails when Kipper refuses the request." }) gitlabCi!: string;
  @Field(() => String, { description: "A GitHub Actions step that sends the workflow's image (a git app: its commit) to the webhook; the step fails when Kipper refuses the request." }) githubActions!: string;
  @Field(() => String, {
    description: 'gitlabCi that then polls the status URL: the job fails when the revision fails or is cancelled (or after KIPPER_WAIT_SECONDS, default 600).',
  })
  gitlabCiWait!: string;
  @Field(() => String, {
    description: 'githubActions that then polls the status URL: the step fails when the revision fails or is cancelled (or after KIPPER_WAIT_SECONDS, default 600).',
  })
  githubActionsWait!: string;
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
