import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';
import { Project } from '../projects/project.entity.js';
import type { NotificationEvent } from './notification-event.js';

export enum NotificationChannelKind {
  /** JSON payload signed with the channel's secret (`X-Kipper-Signature-256`). */
  WEBHOOK = 'webhook',
  /** Slack-compatible incoming webhook: `{"text": "…"}`, one readable line. */
  SLACK = 'slack',
}

/**
 * Where Kipper sends notifications of a project (every app) or of one app. The URL and the signing
 * secret live only in the Kubernetes Secret `kipper-notification-{id}` in `secretNamespace` (a
 * Slack URL is itself a credential); the database keeps a display form of the URL.
 */
@Entity('notification_channel')
@Index(['projectId'])
export class NotificationChannel {
  /** Chosen before the Secret is written (its name holds it). */
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid') projectId!: string;
  @ManyToOne(() => Project, { onDelete: 'CASCADE' }) project!: Relation<Project>;
  /** Null: every app of the project. */
  @Column('uuid', { nullable: true }) appId!: string | null;
  @ManyToOne(() => App, { onDelete: 'CASCADE', nullable: true }) app!: Relation<App> | null;
  @Column('text') kind!: NotificationChannelKind;
  /** Scheme, host and the start of the path, for lists (`https://hooks.slack.com/services/T024…/…`). */
  @Column('text') displayUrl!: string;
  /** Where the Secret is: the app's namespace, or the project's first environment's. */
  @Column('text') secretNamespace!: string;
  @Column('text', { array: true }) events!: NotificationEvent[];
  @Column('boolean', { default: true }) enabled!: boolean;
  @Column('text') createdBy!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
