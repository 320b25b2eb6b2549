import { Column, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Project } from './project.entity.js';

/** One stage of a project's promotion pipeline, and the Kubernetes namespace it deploys to. */
@Entity('environment')
@Index(['projectId', 'position'], { unique: true })
export class Environment {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') projectId!: string;
  @ManyToOne(() => Project, (project) => project.environments, { onDelete: 'CASCADE' }) project!: Relation<Project>;
  @Column('text') name!: string;
  /** Order in the pipeline, 0 first: promotion goes from position n to n + 1. */
  @Column('int') position!: number;
  /** `{project}-{environment}` */
  @Column('text', { unique: true }) namespace!: string;
  /** Approvals a deploy into this environment needs before it rolls out; 0: none. */
  @Column('int', { default: 0 }) requiredApprovals!: number;
  /** Who may approve: `role:admin`, `role:deployer`, `user:NAME`; null means `role:admin`. */
  @Column('jsonb', { nullable: true }) approvers!: string[] | null;
  /** People must type the environment's name to confirm a promotion into it (console). */
  @Column('boolean', { default: false }) protected!: boolean;
  /** Set while frozen: every deploy is refused with this reason, except a project admin's rollback. */
  @Column('text', { nullable: true }) frozenReason!: string | null;
  @Column('text', { nullable: true }) frozenBy!: string | null;
  @Column('timestamptz', { nullable: true }) frozenAt!: Date | null;
}
