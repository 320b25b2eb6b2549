import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { ProjectRole } from '../access/principal.js';
import { User } from '../people/user.entity.js';
import { Environment } from '../projects/environment.entity.js';
import { Project } from '../projects/project.entity.js';

/**
 * An API token (`kip_…`); only its SHA-256 is kept, unique, so a presented token is found by one
 * indexed lookup. Unscoped tokens act as their owner; tokens scoped to a project (and maybe one
 * environment) act there only, with the weaker of their role and the owner's.
 */
@Entity('api_token')
@Index(['userId', 'name'], { unique: true })
export class ApiToken {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { unique: true }) tokenHash!: string;
  @Column('uuid', { nullable: true }) userId!: string | null;
  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true }) user!: Relation<User> | null;
  @Column('uuid', { nullable: true }) projectId!: string | null;
  @ManyToOne(() => Project, { onDelete: 'CASCADE', nullable: true }) project!: Relation<Project> | null;
  @Column('uuid', { nullable: true }) environmentId!: string | null;
  @ManyToOne(() => Environment, { onDelete: 'CASCADE', nullable: true }) environment!: Relation<Environment> | null;
  /** Null: whatever the owner may do (unscoped personal tokens). */
  @Column('text', { nullable: true }) role!: ProjectRole | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) expiresAt!: Date | null;
  @Column('timestamptz', { nullable: true }) revokedAt!: Date | null;
}
