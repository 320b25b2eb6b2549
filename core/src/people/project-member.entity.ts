import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { ProjectRole } from '../access/principal.js';
import { Project } from '../projects/project.entity.js';
import { User } from './user.entity.js';

/** A person's role in one project (instance admins need no row: they are admin everywhere). */
@Entity('project_member')
@Index(['projectId', 'userId'], { unique: true })
@Index(['userId'])
export class ProjectMember {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') projectId!: string;
  @ManyToOne(() => Project, { onDelete: 'CASCADE' }) project!: Relation<Project>;
  @Column('uuid') userId!: string;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) user!: Relation<User>;
  @Column('text') role!: ProjectRole;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
