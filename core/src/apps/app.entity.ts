import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Environment } from '../projects/environment.entity.js';
import type { EnvEntry } from './app-settings.js';

export enum AppSource {
  IMAGE = 'image',
  GIT = 'git',
}

/** What happens to queued revisions when a newer one arrives before they start. */
export enum DeployPolicy {
  /** Only the newest queued revision is rolled out; older queued ones become superseded. */
  LATEST = 'latest',
  /** Every revision is rolled out, in order. */
  EVERY = 'every',
}

/** What the reconciler does when the cluster differs from the record (image, replicas changed behind Kipper's back). */
export enum DriftPolicy {
  /** Put the cluster back to the record. */
  REPAIR = 'repair',
  /** Only flag it on the app. */
  REPORT = 'report',
}

/** Health from the cluster, in the model users know from Argo CD. */
export enum HealthStatus {
  HEALTHY = 'Healthy',
  PROGRESSING = 'Progressing',
  DEGRADED = 'Degraded',
  MISSING = 'Missing',
  SUSPENDED = 'Suspended',
}

/** The app's health as the worker last observed it from its Deployment and pods. */
export interface AppHealth {
  status: HealthStatus;
  /** Degraded: CrashLoopBackOff, ImagePullBackOff, OOMKilled, ProgressDeadlineExceeded, … */
  reason: string | null;
  message: string | null;
  /** ISO time of the observation that changed it. */
  since: string;
}

/** A difference between the cluster and the record that the reconciler found and did not repair (drift policy `report`). */
export interface AppDrift {
  message: string;
  detectedAt: string;
}

/** A variable as given when an app is created (secret-looking names go to a Secret, see app-settings.ts). */
export interface EnvVar {
  name: string;
  value: string;
  /** Keep it in the app's env Secret even when the name does not look like a credential. */
  secret?: boolean | null;
}

@Entity('app')
@Index(['namespace', 'name'], { unique: true })
export class App {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') environmentId!: string;
  @ManyToOne(() => Environment, { onDelete: 'CASCADE' }) environment!: Relation<Environment>;
  @Column('uuid') projectId!: string;
  @Column('text') namespace!: string;
  @Column('text') name!: string;
  @Column('text') source!: AppSource;
  /** Image apps: the image given at deploy time. The running image is the current revision's. */
  @Column('text', { nullable: true }) image!: string | null;
  @Column('text', { nullable: true }) gitUrl!: string | null;
  @Column('text', { nullable: true }) gitBranch!: string | null;
  @Column('text', { nullable: true }) dockerfilePath!: string | null;
  @Column('int') port!: number;
  @Column('int') replicas!: number;
  /** Secret entries carry only a fingerprint: their values are in Secret `envSecretName`. */
  @Column('jsonb', { default: () => "'[]'" }) env!: EnvEntry[];
  /** The immutable Secret `{name}-env-{hash}` holding the values of the secret entries of `env`; null when there are none. */
  @Column('text', { nullable: true }) envSecretName!: string | null;
  @Column('text', { nullable: true }) host!: string | null;
  @Column('text', { default: DeployPolicy.LATEST }) deployPolicy!: DeployPolicy;
  /** Go back to the last live image when a rollout fails. */
  @Column('boolean', { default: true }) autoRollback!: boolean;
  /** Git apps: Kipper checks the branch head itself and builds new commits. */
  @Column('boolean', { default: false }) watchGit!: boolean;
  /** The branch head seen by the last git check, so a commit is built once. */
  @Column('text', { nullable: true }) lastSeenCommit!: string | null;
  @Column('uuid', { nullable: true }) currentRevisionId!: string | null;
  /** A rollback pins the app: automated deliveries are held until `unpin` (see revisions/pin.ts). */
  @Column('uuid', { nullable: true }) pinnedRevisionId!: string | null;
  @Column('text', { nullable: true }) pinnedBy!: string | null;
  @Column('timestamptz', { nullable: true }) pinnedAt!: Date | null;
  @Column('text', { default: DriftPolicy.REPAIR }) driftPolicy!: DriftPolicy;
  /** Null until the worker first observed the app in the cluster. */
  @Column('jsonb', { nullable: true }) health!: AppHealth | null;
  @Column('jsonb', { nullable: true }) drift!: AppDrift | null;
  /** Revision numbers are allocated under a row lock on the app, so they never collide. */
  @Column('int', { default: 1 }) nextRevisionNumber!: number;
  @Column('int', { default: 1 }) nextBuildNumber!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
