import {
  GraphQLError,
  Kind,
  specifiedRules,
  validate,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '@kipper/core';

/**
 * Limits on the shape of a GraphQL operation, checked at validation time (before any resolver
 * runs), on HTTP and WebSocket alike. Without them one request such as
 * `app { revisions { nodes { app { revisions { … } } } } }` or a thousand aliased copies of a
 * field makes the api do unbounded work. Fragments are expanded, so hiding the nesting or the
 * aliases in fragments does not help. Introspection (`__schema`, `__type`) is left to
 * graphql-js's own MaxIntrospectionDepthRule.
 */
export interface QueryLimits {
  /** Deepest field nesting; `{ app { name } }` has depth 2. */
  maxDepth: number;
  /** Fields written with an alias (`a: app(…)`) in one operation, fragments expanded. */
  maxAliases: number;
  /** Fields visited after expanding fragments (a guard against fragments spread many times over). */
  maxFields: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 50, maxFields: 5_000 };

class LimitExceeded extends Error {}

/** A validation rule enforcing `limits` on every operation of the document. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
      let aliases = 0;
      let fields = 0;
      const refuse = (message: string): never => {
        context.reportError(new GraphQLError(message, { nodes: [operation], extensions: { code: ErrorCode.VALIDATION_FAILED } }));
        throw new LimitExceeded();
      };
      const walk = (set: SelectionSetNode, depth: number, fragments: ReadonlySet<string>): void => {
        for (const selection of set.selections) {
          switch (selection.kind) {
            case Kind.FIELD: {
              if (selection.name.value.startsWith('__')) continue;
              if (++fields > limits.maxFields) refuse(`${name} selects more than ${limits.maxFields} fields once its fragments are expanded: split it into smaller queries`);
              if (selection.alias && ++aliases > limits.maxAliases) refuse(`${name} has more than ${limits.maxAliases} aliased fields: split it into several requests`);
              if (depth + 1 > limits.maxDepth) refuse(`${name} is nested more than ${limits.maxDepth} fields deep: query the nested objects separately`);
              if (selection.selectionSet) walk(selection.selectionSet, depth + 1, fragments);
              break;
            }
            case Kind.INLINE_FRAGMENT:
              walk(selection.selectionSet, depth, fragments);
              break;
            case Kind.FRAGMENT_SPREAD: {
              const fragmentName = selection.name.value;
              // Unknown fragments and cycles are reported by graphql-js's own rules.
              const fragment = context.getFragment(fragmentName);
              if (!fragment || fragments.has(fragmentName)) continue;
              walk(fragment.selectionSet, depth, new Set([...fragments, fragmentName]));
              break;
            }
          }
        }
      };
      try {
        walk(operation.selectionSet, 0, new Set());
      } catch (err) {
        if (!(err instanceof LimitExceeded)) throw err;
      }
      return false;
    },
  });
}

/** The validation rules Kipper adds to graphql-js's specified rules (Apollo `validationRules`). */
export const kipperValidationRules: readonly ValidationRule[] = [queryLimitsRule()];

/** graphql-js `validate` with Kipper's rules added, for graphql-ws (`useServer({ validate })`). */
export const validateWithLimits: typeof validate = (schema, document, rules = specifiedRules, options, typeInfo) =>
  validate(schema, document, [...rules, ...kipperValidationRules], options, typeInfo);
