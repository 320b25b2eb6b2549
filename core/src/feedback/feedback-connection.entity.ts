import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';

/** Where an app's deploys are reported. */
export enum FeedbackProvider {
  GITHUB = 'github',
  GITLAB = 'gitlab',
}

/**
 * An app connected to a repository on GitHub or GitLab: Kipper reports each revision with a
 * commit there (commit status `kipper/{environment}`, a deployment in the environment). The
 * token stays in a Kubernetes Secret in the app's namespace; only its name and key are here.
 */
@Entity('feedback_connection')
@Index(['appId', 'provider'], { unique: true })
export class FeedbackConnection {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') appId!: string;
  @ManyToOne(() => App, { onDelete: 'CASCADE' }) app!: Relation<App>;
  @Column('text') provider!: FeedbackProvider;
  /** GitHub `owner/repo`; GitLab `group/sub/project` (or the project's numeric id). */
  @Column('text') repository!: string;
  /** REST API base without a trailing slash: `https://api.github.com`, `https://gitlab.com/api/v4`, or a self-hosted one. */
  @Column('text') apiUrl!: string;
  /** The Secret in the app's namespace holding the token, and its key. */
  @Column('text') secretName!: string;
  @Column('text') secretKey!: string;
  @Column('text') createdBy!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
