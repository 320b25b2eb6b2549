import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';
import type { RevisionSettings } from '../apps/app-settings.js';

export enum RevisionTrigger {
  WEBHOOK = 'webhook',
  MANUAL = 'manual',
  PROMOTION = 'promotion',
  ROLLBACK = 'rollback',
  BUILD = 'build',
  /** A change of the pod template (port, env) with the image the app runs. */
  CONFIG = 'config',
}

export enum RevisionStatus {
  QUEUED = 'queued',
  BUILDING = 'building',
  ROLLING_OUT = 'rolling_out',
  LIVE = 'live',
  FAILED = 'failed',
  SUPERSEDED = 'superseded',
  /** Accepted while the app is pinned: waits for `kip app unpin` (or is superseded by a person's deploy). */
  HELD = 'held',
  /** Stopped by a person (`kip app cancel`). */
  CANCELLED = 'cancelled',
  /** Into an environment that requires approvals: waits for enough approvers (`kip approve`). */
  AWAITING_APPROVAL = 'awaiting_approval',
  /** An approver said no (`kip reject`). */
  REJECTED = 'rejected',
}

/** Statuses a revision can still leave: the worker owns revisions in these. */
export const UNFINISHED_STATUSES = [RevisionStatus.QUEUED, RevisionStatus.BUILDING, RevisionStatus.ROLLING_OUT];

/** Counts of the new ReplicaSet's pods only (`ready` and `available` among the updated), and old pods still serving. */
export interface RolloutProgress {
  updated: number;
  ready: number;
  desired: number;
  /** Absent in progress recorded before these were counted. */
  available?: number;
  old?: number;
}

/** One deployment of an app: the deploy history is the list of these. */
@Entity('revision')
@Index(['appId', 'number'], { unique: true })
@Index(['status'])
export class Revision {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') appId!: string;
  @ManyToOne(() => App, { onDelete: 'CASCADE' }) app!: Relation<App>;
  /** Per app: 1, 2, 3 … */
  @Column('int') number!: number;
  /** Null only while a git build has not produced the image yet. */
  @Column('text', { nullable: true }) image!: string | null;
  @Column('text', { nullable: true }) commit!: string | null;
  @Column('text') trigger!: RevisionTrigger;
  /** Who or what: `admin`, `webhook:github`, `kipper` (automatic rollback, git watch), … */
  @Column('text') triggeredBy!: string;
  @Column('text') status!: RevisionStatus;
  @Column('text', { nullable: true }) failureReason!: string | null;
  /** Rollbacks: the revision whose image this one deploys again. */
  @Column('uuid', { nullable: true }) rollbackToRevisionId!: string | null;
  /** Promotions: the revision of the same app in the previous environment. */
  @Column('uuid', { nullable: true }) promotedFromRevisionId!: string | null;
  @Column('uuid', { nullable: true }) buildId!: string | null;
  /**
   * `sha256:…` the pods ran once this revision went live (their containerStatuses[].imageID).
   * A promotion deploys `repository@digest` as its `image`, so the target runs those bytes.
   */
  @Column('text', { nullable: true }) digest!: string | null;
  /** Promotions: the source's image as people know it (`api:main`), while `image` is the pinned `api@sha256:…`. */
  @Column('text', { nullable: true }) imageTag!: string | null;
  @Column('jsonb', { nullable: true }) progress!: RolloutProgress | null;
  /** The app's settings when the revision was recorded (secret env values only as fingerprints); null on revisions older than this record. */
  @Column('jsonb', { nullable: true }) settings!: RevisionSettings | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) finishedAt!: Date | null;
}
