import { GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { validateWithLimits } from './limits.js';

/** Distinct operation texts kept; clients send a handful (the console's, kip's), so this is plenty. */
const MAX_ENTRIES = 500;

type Checked = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parsed and validated subscription documents by their text. graphql-ws parses each subscribe
 * message again, and the document lives as long as the subscription: 10,000 consoles watching
 * would hold 10,000 copies of the same tree. Validation does not depend on the variables, so a
 * text's answer holds for every caller. Least recently used entries go first.
 */
export class DocumentCache {
  private readonly entries = new Map<string, Checked>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** The document, or the syntax or validation errors to answer with; throws only what is not a GraphQLError. */
  check(query: string): Checked {
    const known = this.entries.get(query);
    if (known) {
      this.entries.delete(query);
      this.entries.set(query, known);
      return known;
    }
    let checked: Checked;
    try {
      const document = parse(query);
      const errors = validateWithLimits(this.schema, document);
      checked = errors.length > 0 ? { errors } : { document };
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      checked = { errors: [err] };
    }
    this.entries.set(query, checked);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return checked;
  }
}
