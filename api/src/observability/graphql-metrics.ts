import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiMetrics } from './api-metrics.js';

/** Counts and times every GraphQL operation over HTTP (subscriptions are counted open, see subscriptionsOpen). */
export function graphqlMetricsPlugin(metrics: ApiMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let type = 'unknown';
      return {
        async didResolveOperation({ operation }) {
          type = operation?.operation ?? 'unknown';
        },
        async willSendResponse({ response, errors }) {
          const failed = (errors?.length ?? 0) > 0 || (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          metrics.graphqlOperations.inc({ type, outcome: failed ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
