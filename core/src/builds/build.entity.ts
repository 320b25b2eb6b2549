import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';

export enum BuildStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  SUPERSEDED = 'superseded',
  CANCELLED = 'cancelled',
}

/** An image build of a git app at one commit, run as a Kubernetes Job. */
@Entity('build')
@Index(['appId', 'number'], { unique: true })
export class Build {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') appId!: string;
  @ManyToOne(() => App, { onDelete: 'CASCADE' }) app!: Relation<App>;
  @Column('int') number!: number;
  @Column('uuid', { nullable: true }) revisionId!: string | null;
  /** Null: the branch head at the time the build starts. */
  @Column('text', { nullable: true }) commit!: string | null;
  @Column('text') status!: BuildStatus;
  /** `{registry}/{namespace}/{app}:{commit}` once known. */
  @Column('text', { nullable: true }) image!: string | null;
  @Column('text', { nullable: true }) jobName!: string | null;
  @Column('text', { array: true, default: () => "'{}'" }) log!: string[];
  @Column('text', { nullable: true }) failureReason!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) finishedAt!: Date | null;
}
