import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { App } from '../apps/app.entity.js';

/**
 * A CI identity an app's webhook trusts (keyless CI): OIDC tokens from `issuer` whose `sub`
 * matches `subject` (exact, or with `*` wildcards) and whose `aud` holds `audience` may deploy
 * the app with `Authorization: Bearer <token>`, beside or instead of the shared webhook token.
 */
@Entity('webhook_trust')
@Index(['appId', 'issuer', 'subject', 'audience'], { unique: true })
export class WebhookTrust {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') appId!: string;
  @ManyToOne(() => App, { onDelete: 'CASCADE' }) app!: Relation<App>;
  /** The token's `iss`, exactly (no trailing slash): `https://token.actions.githubusercontent.com`. */
  @Column('text') issuer!: string;
  /** The `sub` pattern: `repo:acme/api:ref:refs/heads/main`, `*` matching any run of characters. */
  @Column('text') subject!: string;
  @Column('text') audience!: string;
  @Column('text') createdBy!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
