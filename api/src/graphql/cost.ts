import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@kipper/core';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isLeafType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * What an operation may cost before it runs. Depth and alias limits (limits.ts) do not bound
 * work: nested lists multiply (`revisions(first: 100) { nodes { app { revisions(first: 100) … } } }`
 * is a million rows). So every field is weighed by how many times it will be resolved: a list
 * field counts its page size (`first`) or, when it is not paged, an estimate; objects cost 1,
 * scalars nothing, so the cost approximates the rows an operation makes the api load.
 */

/** How many items an unpaged list (projects, environments, apps, env vars) is assumed to hold. */
export const UNPAGED_LIST_ESTIMATE = 10;

const listAwareEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const nullable = getNullableType(field.type);
  const own = isLeafType(getNamedType(field.type)) && !isListType(nullable) ? 0 : 1;
  const first: unknown = args.first;
  if (typeof first === 'number') return own + Math.max(first, 1) * childComplexity;
  // `nodes` of a connection (`entries` of the audit log's page): the paged field already counted its page size.
  if (isListType(nullable) && field.name !== 'nodes' && field.name !== 'entries') return own + UNPAGED_LIST_ESTIMATE * childComplexity;
  return own + childComplexity;
};

export interface CostRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

export function operationCost(request: CostRequest): number {
  return getComplexity({
    schema: request.schema,
    query: request.document,
    variables: request.variables ?? {},
    ...(request.operationName ? { operationName: request.operationName } : {}),
    estimators: [listAwareEstimator],
  });
}

/**
 * The cost, or undefined when the variables do not fit the operation: execution then refuses the
 * request with graphql-js's own coercion error, before any resolver runs.
 */
export function costOrUndefined(request: CostRequest): number | undefined {
  try {
    return operationCost(request);
  } catch (err) {
    if (err instanceof GraphQLError) return undefined;
    throw err;
  }
}

/** The refusal of an over-budget operation: a 400 with the computed cost, before any resolver runs. */
export function tooComplex(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(
    `This operation would cost ${cost}, more than the limit of ${maxCost} (lists count their page size): ask for smaller pages (first) or fewer nested lists, or split it into several queries`,
    { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, details: { cost, maxCost }, http: { status: 400 } } },
  );
}

/**
 * Subscriptions run over graphql-ws; sent as an HTTP POST they would be executed as a query
 * and fail inside a resolver. Refuse them clearly instead.
 */
function subscriptionOverHttp(): GraphQLError {
  return new GraphQLError('Subscriptions are served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP POST', {
    extensions: { code: ErrorCode.VALIDATION_FAILED, http: { status: 400 } },
  });
}

/** Apollo plugin: refuses over-budget operations and subscriptions sent over HTTP, once variables are known. */
export function operationBudgetPlugin(maxCost: number): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ schema, document, request, operation }) {
          if (operation?.operation === 'subscription') throw subscriptionOverHttp();
          const cost = costOrUndefined({ schema, document, variables: request.variables, operationName: request.operationName });
          if (cost !== undefined && cost > maxCost) throw tooComplex(cost, maxCost);
          return Promise.resolve();
        },
      });
    },
  };
}
