import type { KipperMetrics } from '@kipper/core';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Seconds buckets of webhook answers: a healthy delivery takes a few milliseconds. */
const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const GRAPHQL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The api's own metrics, beside the domain's and the process's in the same registry. */
export interface ApiMetrics {
  readonly base: KipperMetrics;
  readonly webhookDeliveries: Counter<'source' | 'outcome'>;
  readonly webhookDuration: Histogram<'source'>;
  readonly graphqlOperations: Counter<'type' | 'outcome'>;
  readonly graphqlDuration: Histogram<'type'>;
  readonly subscriptionsOpen: Gauge;
}

export function createApiMetrics(base: KipperMetrics): ApiMetrics {
  const registers = [base.registry];
  return {
    base,
    webhookDeliveries: new Counter({
      name: 'kipper_webhook_deliveries_total',
      help: 'Webhook deliveries answered, by source (kipper, github, gitlab) and outcome (accepted, already-live, ping, ignored, replayed, refused, unauthenticated, rate_limited)',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    webhookDuration: new Histogram({
      name: 'kipper_webhook_duration_seconds',
      help: 'Time from a webhook request to its answer, by source',
      labelNames: ['source'] as const,
      buckets: WEBHOOK_BUCKETS,
      registers,
    }),
    graphqlOperations: new Counter({
      name: 'kipper_graphql_operations_total',
      help: 'GraphQL operations over HTTP, by type (query, mutation, unknown when it could not be parsed) and outcome (ok, error)',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    graphqlDuration: new Histogram({
      name: 'kipper_graphql_duration_seconds',
      help: 'Time from a GraphQL request over HTTP to its answer, by operation type',
      labelNames: ['type'] as const,
      buckets: GRAPHQL_BUCKETS,
      registers,
    }),
    subscriptionsOpen: new Gauge({
      name: 'kipper_subscriptions_open',
      help: 'GraphQL subscriptions currently open on this api process (graphql-ws)',
      registers,
    }),
  };
}
