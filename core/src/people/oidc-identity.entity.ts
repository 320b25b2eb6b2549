import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from './user.entity.js';

/**
 * A person's account at an OpenID provider: the provider's `iss` and `sub` identify it for good
 * (an email address can change hands; the subject cannot), so later sign-ins find the person here.
 */
@Entity('oidc_identity')
@Index(['issuer', 'subject'], { unique: true })
@Index(['userId'])
export class OidcIdentity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') issuer!: string;
  @Column('text') subject!: string;
  @Column('uuid') userId!: string;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) user!: Relation<User>;
  /** The verified email address the provider last gave, if any. */
  @Column('text', { nullable: true }) email!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz') lastSignInAt!: Date;
}
