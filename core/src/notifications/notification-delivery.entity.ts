import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { NotificationChannel } from './notification-channel.entity.js';
import type { NotificationEvent } from './notification-event.js';

export enum NotificationDeliveryOutcome {
  /** The receiver answered 2xx. */
  DELIVERED = 'delivered',
  /** It failed (an error, a timeout, a non-2xx answer); the queue tries again later. */
  RETRYING = 'retrying',
  /** It failed and that was the last attempt, or retrying cannot help (URL refused, Secret gone). */
  FAILED = 'failed',
}

/** One attempt to send one notification to one channel. */
@Entity('notification_delivery')
@Index(['channelId', 'at'])
export class NotificationDelivery {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') channelId!: string;
  @ManyToOne(() => NotificationChannel, { onDelete: 'CASCADE' }) channel!: Relation<NotificationChannel>;
  /** The payload's `id` and `X-Kipper-Delivery`: the same for every attempt of one notification, so receivers can de-duplicate. */
  @Column('uuid') deliveryId!: string;
  @Column('text') event!: NotificationEvent;
  @Column('uuid', { nullable: true }) revisionId!: string | null;
  /** 1 for the first try. */
  @Column('int') attempt!: number;
  @Column('text') outcome!: NotificationDeliveryOutcome;
  /** The receiver's HTTP status; null when there was no answer (see `error`). */
  @Column('int', { nullable: true }) statusCode!: number | null;
  /** Why there was no usable answer: timeout, connection refused, refused address, redirect, … */
  @Column('text', { nullable: true }) error!: string | null;
  @Column('int') latencyMs!: number;
  /** The start of the response body (at most 500 characters). */
  @Column('text', { nullable: true }) responseExcerpt!: string | null;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
}
