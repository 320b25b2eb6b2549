import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { NotificationChannelKind, NotificationDeliveryOutcome, NotificationEvent } from '../graphql/enums.js';

// GraphQL shapes of NotificationService's channels and delivery attempts.

@ObjectType('NotificationChannel', { description: 'Where Kipper sends notifications of a project (every app) or of one app.' })
export class NotificationChannelType {
  @Field(() => ID) id!: string;
  @Field(() => NotificationChannelKind) kind!: NotificationChannelKind;
  @Field(() => [NotificationEvent], { description: 'What it is sent.' }) events!: NotificationEvent[];
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType('CreatedNotificationChannel')
export class CreatedNotificationChannelType {
  @Field(() => NotificationChannelType) channel!: NotificationChannelType;
  @Field(() => String, {
    nullable: true,
    description: 'WEBHOOK channels: the key of X-Kipper-Signature-256 (64 hex characters). Shown this once: Kipper keeps it only in the channel\'s Kubernetes Secret. Null for SLACK.',
  })
  signingSecret!: string | null;
}

@ObjectType('NotificationDelivery', { description: 'One attempt to send one notification to one channel.' })
export class NotificationDeliveryType {
  @Field(() => ID) id!: string;
  @Field(() => ID) channelId!: string;
  @Field(() => ID, { description: 'The payload\'s `id` and X-Kipper-Delivery: the same for every attempt of one notification.' }) deliveryId!: string;
  @Field(() => NotificationEvent) event!: NotificationEvent;
  @Field(() => Int, { description: '1 for the first try.' }) attempt!: number;
  @Field(() => NotificationDeliveryOutcome) outcome!: NotificationDeliveryOutcome;
  @Field(() => Int, { nullable: true, description: 'The receiver\'s HTTP status; null when it did not answer (see error).' }) statusCode!: number | null;
  @Field(() => String, { nullable: true, description: 'Why it failed: no answer within 5 s, connection refused, a redirect, a refused address, …' }) error!: string | null;
  @Field(() => Int) latencyMs!: number;
  @Field(() => String, { nullable: true, description: 'The start of the answer (at most 500 characters).' }) responseExcerpt!: string | null;
  @Field(() => Date) at!: Date;
}

@InputType('CreateNotificationChannelInput')
export class CreateNotificationChannelInput {
  @Field(() => String) project!: string;
  @Field(() => String, { nullable: true, description: 'One app of the project; omitted: every app of the project.' }) app?: string | null;
  @Field(() => String, { nullable: true, description: 'The app\'s environment, when the project has an app of that name in several.' }) environment?: string | null;
  @Field(() => NotificationChannelKind, { nullable: true, description: 'Default WEBHOOK.' }) kind?: NotificationChannelKind | null;
  @Field(() => String, {
    description: 'http(s). Hosts on loopback, link-local or private addresses are refused unless the server runs with KIPPER_NOTIFY_ALLOW_PRIVATE=true.',
  })
  url!: string;
  @Field(() => [NotificationEvent], { nullable: true, description: 'Default: every type.' }) events?: NotificationEvent[] | null;
}
