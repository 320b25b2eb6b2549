import { Column, CreateDateColumn, Entity, OneToOne, JoinColumn, PrimaryColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';

/**
 * An app's webhook. The token itself lives only in the Kubernetes Secret `{app}-webhook`;
 * the database keeps its SHA-256, which is all `X-Kipper-Token` / `X-Gitlab-Token` checks need.
 */
@Entity('webhook')
export class Webhook {
  @PrimaryColumn('uuid') appId!: string;
  @OneToOne(() => App, { onDelete: 'CASCADE' }) @JoinColumn() app!: Relation<App>;
  @Column('boolean') enabled!: boolean;
  @Column('text', { nullable: true }) tokenHash!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) rotatedAt!: Date | null;
  /**
   * Set by the worker's reconciler when the Secret holding the token is gone (a recreated
   * cluster): `X-Kipper-Token` still works from the hash, GitHub signatures cannot be checked.
   * Cleared when a new token is issued.
   */
  @Column('timestamptz', { nullable: true }) secretMissingSince!: Date | null;
}
