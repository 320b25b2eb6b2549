import { parse, print, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

function isDocument(value: unknown): value is DocumentNode {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Document';
}

/**
 * The one operation validator: checks every operation among `exports` (this package's exports,
 * say) against `schema`, as the client sends it: printed, so gql.tada's `@_unmask` is gone.
 * Fragments are checked inside the operations that spread them. Answers `Name: message` lines;
 * none when all are valid.
 */
export function validateOperations(
  schema: GraphQLSchema,
  exports: Record<string, unknown>,
  rules?: readonly ValidationRule[],
): { operations: number; problems: string[] } {
  let operations = 0;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(exports)) {
    if (!isDocument(value) || value.definitions.every((d) => d.kind === 'FragmentDefinition')) continue;
    operations++;
    for (const error of validate(schema, parse(print(value)), rules)) problems.push(`${name}: ${error.message}`);
  }
  return { operations, problems };
}
