import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from './user.entity.js';

/**
 * A signed-in console (cookie `kipper_session`). Only the SHA-256 of the cookie value is kept, so a
 * copy of the table signs nobody in; the CSRF token is derived from the cookie value (session.service.ts)
 * and only its SHA-256 is kept as well.
 */
@Entity('session')
@Index(['userId'])
export class Session {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text', { unique: true }) cookieHash!: string;
  @Column('text') csrfHash!: string;
  @Column('uuid') userId!: string;
  @ManyToOne(() => User, { onDelete: 'CASCADE' }) user!: Relation<User>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz') expiresAt!: Date;
  @Column('timestamptz', { default: () => 'now()' }) lastSeenAt!: Date;
}
