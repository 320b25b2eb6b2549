import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Revision } from '../revisions/revision.entity.js';
import { FeedbackConnection } from './feedback-connection.entity.js';

/**
 * The stages of a revision as reported to a provider, in order: a stage is reported once, and a
 * late event for an earlier stage is not (reports may be delivered out of order).
 * `held` (pinned app: waits for unpin) < `queued` < `in_progress` (building or rolling out) <
 * a final one: `success` (live), `failure` (failed, with the reason), `inactive` (superseded or
 * cancelled: it never went live).
 */
export enum FeedbackStage {
  HELD = 'held',
  QUEUED = 'queued',
  IN_PROGRESS = 'in_progress',
  SUCCESS = 'success',
  FAILURE = 'failure',
  INACTIVE = 'inactive',
}

export const FEEDBACK_STAGE_RANK: Readonly<Record<FeedbackStage, number>> = {
  [FeedbackStage.HELD]: 0,
  [FeedbackStage.QUEUED]: 1,
  [FeedbackStage.IN_PROGRESS]: 2,
  [FeedbackStage.SUCCESS]: 3,
  [FeedbackStage.FAILURE]: 3,
  [FeedbackStage.INACTIVE]: 3,
};

/**
 * What was reported of one revision to one connection: the provider's deployment (so every
 * status goes to the same one, and retries do not create another), the full commit SHA, and
 * the last stage; the last error when a delivery failed.
 */
@Entity('feedback_report')
@Index(['connectionId', 'revisionId'], { unique: true })
export class FeedbackReport {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') connectionId!: string;
  @ManyToOne(() => FeedbackConnection, { onDelete: 'CASCADE' }) connection!: Relation<FeedbackConnection>;
  @Column('uuid') revisionId!: string;
  @ManyToOne(() => Revision, { onDelete: 'CASCADE' }) revision!: Relation<Revision>;
  /** The commit as the provider knows it (a short SHA resolved once). */
  @Column('text', { nullable: true }) sha!: string | null;
  /** The provider's deployment id (GitHub Deployment, GitLab deployment). */
  @Column('text', { nullable: true }) deploymentId!: string | null;
  @Column('text', { nullable: true }) stage!: FeedbackStage | null;
  /** The description sent with the last stage (the failure reason, …). */
  @Column('text', { nullable: true }) description!: string | null;
  @Column('timestamptz', { nullable: true }) reportedAt!: Date | null;
  /** Why the last delivery failed; cleared by the next one that succeeds. */
  @Column('text', { nullable: true }) lastError!: string | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
