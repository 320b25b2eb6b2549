import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { RevisionStatus } from '../revisions/revision.entity.js';
import { isFinal } from '../revisions/revision.lifecycle.js';
import type { DataSource } from 'typeorm';
import { observeDomain, type DomainObserver } from './observer.js';

/** Seconds buckets of rollouts: a few seconds (the simulator) to the 10-minute progress deadline. */
export const ROLLOUT_BUCKETS = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200];

/** Rollout start times kept at most (rollouts this process started and has not seen end). */
const MAX_TRACKED_ROLLOUTS = 10_000;

/**
 * One process's Prometheus registry (the api's and the worker's are separate, each served on its
 * own `/metrics`): the default process metrics, labelled with the component, and what the
 * domain reports through its DomainObserver. The api and the worker add their own metrics to
 * `registry`.
 */
export interface KipperMetrics {
  readonly registry: Registry;
  readonly observer: DomainObserver;
  /** Registers the observer on a data source this process opened. */
  observe(dataSource: DataSource): void;
}

export function createKipperMetrics(component: string): KipperMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  collectDefaultMetrics({ register: registry });

  const transitions = new Counter({
    name: 'kipper_revision_transitions_total',
    help: 'Revision status changes, by status before (`new` for a revision just recorded) and after',
    labelNames: ['from', 'to'] as const,
    registers: [registry],
  });
  const rollouts = new Histogram({
    name: 'kipper_rollout_duration_seconds',
    help: 'From the start of a rollout to its end, by how it ended (live, failed, superseded, cancelled)',
    labelNames: ['outcome'] as const,
    buckets: ROLLOUT_BUCKETS,
    registers: [registry],
  });
  const builds = new Counter({
    name: 'kipper_builds_total',
    help: 'Builds that ended, by outcome (succeeded, failed, reused: an earlier build of the same commit)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const repairs = new Counter({
    name: 'kipper_reconcile_repairs_total',
    help: 'Objects recreated or put back by the reconciler',
    registers: [registry],
  });

  // When this process started a rollout: its duration ends at the status that follows.
  const rolloutStarts = new Map<string, number>();
  const observer: DomainObserver = {
    revisionTransitioned(from, to, revision) {
      transitions.inc({ from: from ?? 'new', to });
      if (to === RevisionStatus.ROLLING_OUT) {
        if (rolloutStarts.size >= MAX_TRACKED_ROLLOUTS) rolloutStarts.clear();
        rolloutStarts.set(revision.id, Date.now());
      } else if (from === RevisionStatus.ROLLING_OUT && isFinal(to)) {
        // A rollout resumed after a restart began in another process: its revision's start stands in.
        const started = rolloutStarts.get(revision.id) ?? revision.startedAt?.getTime();
        rolloutStarts.delete(revision.id);
        if (started !== undefined) rollouts.observe({ outcome: to }, Math.max(0, Date.now() - started) / 1000);
      }
    },
    buildFinished: (outcome) => builds.inc({ outcome }),
    repaired: (list) => repairs.inc(list.length),
  };
  return { registry, observer, observe: (dataSource) => observeDomain(dataSource, observer) };
}
