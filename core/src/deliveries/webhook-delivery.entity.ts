import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';

export enum DeliverySource {
  KIPPER = 'kipper',
  GITHUB = 'github',
  GITLAB = 'gitlab',
}

export enum DeliveryOutcome {
  ACCEPTED = 'accepted',
  /** The image is what already runs: nothing was deployed (a repeated or replayed push). */
  ALREADY_LIVE = 'already_live',
  IGNORED = 'ignored',
  DUPLICATE = 'duplicate',
  /** Accepted while the app is pinned: the revision is recorded `held` (the message says why), nothing deployed. */
  HELD = 'held',
  /**
   * Refused after the app was identified, recorded so its owner sees why: a GitHub-signed
   * delivery while the webhook's Secret is missing (the signature cannot be checked).
   * Other refusals are not recorded: they would tell strangers which apps exist.
   */
  REFUSED = 'refused',
  /**
   * A delivery key claimed by a request that is still running: a concurrent repeat waits for
   * it to finish and answers its response. Never listed as history; a stale one is taken over.
   * (A TS-only value: the column is text, so no migration.)
   */
  PENDING = 'pending',
}

/** A webhook request that passed authentication. Never holds the token. */
@Entity('webhook_delivery')
@Index(['appId', 'deliveryKey'], { unique: true, where: 'delivery_key IS NOT NULL' })
@Index(['appId', 'receivedAt'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') appId!: string;
  @ManyToOne(() => App, { onDelete: 'CASCADE' }) app!: Relation<App>;
  @Column('timestamptz', { default: () => 'now()' }) receivedAt!: Date;
  @Column('text') source!: DeliverySource;
  /** `deploy`, `push`, `ping`, … */
  @Column('text') event!: string;
  /** X-GitHub-Delivery, X-Gitlab-Event-UUID or Idempotency-Key: repeats answer the first response. */
  @Column('text', { nullable: true }) deliveryKey!: string | null;
  @Column('int') statusCode!: number;
  @Column('text') outcome!: DeliveryOutcome;
  /** Why it was ignored; on an accepted delivery, the refusal it was answered with while the queue was down (else null). */
  @Column('text', { nullable: true }) message!: string | null;
  @Column('uuid', { nullable: true }) revisionId!: string | null;
  @Column('jsonb') response!: unknown;
}
