import { initGraphQLTada } from 'gql.tada';
import type { introspection } from '@kipper/schema/graphql-env';

/** Typed GraphQL documents checked against schema/schema.graphql (see `npm run check`). */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTimeISO: string; ID: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
