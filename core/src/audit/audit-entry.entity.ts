import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ActorKind } from '../access/principal.js';

/**
 * Who changed what, including what Kipper did on its own (actor `kipper`). Project and app ids
 * are kept for filtering only, without foreign keys: an entry outlives the app or project it
 * tells about (their deletion is itself an entry).
 */
@Entity('audit_entry')
@Index(['at'])
@Index(['projectId', 'at'])
@Index(['appId', 'at'])
@Index(['actor', 'at'])
@Index(['action', 'at'])
export class AuditEntry {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
  @Column('text') actor!: string;
  /** `person`, `token`, `ci`, `webhook` or `kipper` (from the actor's text when it was recorded). */
  @Column('text') actorKind!: ActorKind;
  /** `project.create`, `app.deploy`, `webhook.enable`, `revision.rollback`, … */
  @Column('text') action!: string;
  /** `namespace/app`, or a project name. */
  @Column('text') target!: string;
  /** Null for entries about no project (people, instance tokens). */
  @Column('uuid', { nullable: true }) projectId!: string | null;
  @Column('uuid', { nullable: true }) appId!: string | null;
  /** What changed; `before`/`after` where a setting changed. */
  @Column('jsonb', { default: () => "'{}'" }) details!: Record<string, unknown>;
  /** The caller's address, null outside a request (the worker). */
  @Column('text', { nullable: true }) sourceAddress!: string | null;
  /** The X-Request-Id of the request that made the change, null outside a request. */
  @Column('text', { nullable: true }) requestId!: string | null;
}
