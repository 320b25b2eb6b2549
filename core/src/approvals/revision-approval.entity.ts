import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Revision } from '../revisions/revision.entity.js';

export enum ApprovalDecision {
  APPROVE = 'approve',
  REJECT = 'reject',
}

/** One person's decision on a revision awaiting approval; each person counts once. */
@Entity('revision_approval')
@Index(['revisionId', 'actor'], { unique: true })
export class RevisionApproval {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') revisionId!: string;
  @ManyToOne(() => Revision, { onDelete: 'CASCADE' }) revision!: Relation<Revision>;
  @Column('text') actor!: string;
  @Column('text') decision!: ApprovalDecision;
  @Column('text', { nullable: true }) comment!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
