import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Environment } from './environment.entity.js';

@Entity('project')
export class Project {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** DNS label: it is the first half of every namespace of the project. */
  @Column('text', { unique: true }) name!: string;
  @Column('text') displayName!: string;
  @OneToMany(() => Environment, (environment) => environment.project) environments!: Relation<Environment[]>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
