import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what, including what Kipper did on its own (actor `kipper`). */
@Entity('audit_entry')
@Index(['at'])
export class AuditEntry {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
  @Column('text') actor!: string;
  /** `project.create`, `app.deploy`, `webhook.enable`, `revision.rollback`, … */
  @Column('text') action!: string;
  /** `namespace/app`, or a project name. */
  @Column('text') target!: string;
  @Column('jsonb', { default: () => "'{}'" }) details!: Record<string, unknown>;
}
