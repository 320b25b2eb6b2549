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
}
