import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A person who signs in (console session, personal tokens). The table is `kipper_user` because
 * `user` is a reserved word in PostgreSQL.
 */
@Entity('kipper_user')
export class User {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Sign-in name, also the audit actor of everything the person does. */
  @Column('text', { unique: true }) name!: string;
  @Column('text', { nullable: true }) displayName!: string | null;
  /** Lowercase; set from a provider's verified email at single sign-on, which then finds the person by it. */
  @Column('text', { nullable: true, unique: true }) email!: string | null;
  /** `scrypt$N$r$p$salt$hash` (see password.ts); null: no password sign-in (the bootstrap admin, single sign-on people). */
  @Column('text', { nullable: true }) passwordHash!: string | null;
  /** Manages people and projects, and holds `admin` in every project. */
  @Column('boolean', { default: false }) instanceAdmin!: boolean;
  /** Set by disableUser: no sign-in, no session, no token works. */
  @Column('timestamptz', { nullable: true }) disabledAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
