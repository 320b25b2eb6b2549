import type { DataSource, EntityManager } from 'typeorm';
import type { RevisionStatus } from '../revisions/revision.entity.js';

/** How a build ended, as far as the build itself goes (a superseded or cancelled one is counted with its revision). */
export type BuildOutcome = 'succeeded' | 'failed' | 'reused';

/**
 * What the domain tells whoever watches it (the api's and the worker's metrics), from the one
 * place each thing happens: revision status changes from the state machine's `transition`,
 * new revisions from their insert, builds from BuildLifecycleService, repairs from
 * AppConditionsService. Called inside the transaction that makes the change (a change rolled
 * back afterwards is still counted: rare, and metrics are no record). Must not throw or wait.
 */
export interface DomainObserver {
  /** `from` is null for a revision just recorded (queued or held). */
  revisionTransitioned(from: RevisionStatus | null, to: RevisionStatus, revision: { id: string; startedAt: Date | null }): void;
  buildFinished(outcome: BuildOutcome): void;
  /** Objects recreated or put back by a reconcile pass, one entry per repair. */
  repaired(repairs: readonly string[]): void;
}

/**
 * Observers by data source: each Kipper (an api, a worker, a test's second api in the same
 * process) registers its own on the data sources it opened, so the state machine needs no
 * extra argument and a process counts only its own changes.
 */
const observers = new WeakMap<DataSource, DomainObserver>();

export function observeDomain(dataSource: DataSource, observer: DomainObserver): void {
  observers.set(dataSource, observer);
}

export function observerOf(source: DataSource | EntityManager): DomainObserver | undefined {
  const dataSource = 'connection' in source ? source.connection : source;
  return observers.get(dataSource);
}
