import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../src/graphql/operations.js';

const schemaFile = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

// schema/graphql-env.d.ts (the introspection type) is checked for staleness by api/test/schema.test.ts.
describe('typed GraphQL operations', () => {
  it('every operation validates against the schema', async () => {
    const schema = buildSchema(await readFile(schemaFile, 'utf8'));
    const documents = Object.entries(operations).filter(([, value]) => typeof value === 'object' && value && 'kind' in value);
    expect(documents.length).toBeGreaterThan(15);
    for (const [name, document] of documents) {
      // What the client sends: the printed document (gql.tada drops its @_unmask marker).
      const errors = validate(schema, parse(print(document as DocumentNode)));
      // Fragments are validated inside the operations that spread them.
      const relevant = name.endsWith('Fields') ? errors.filter((e) => !/is never used/.test(e.message)) : errors;
      expect(relevant.map((e) => `${name}: ${e.message}`)).toEqual([]);
    }
  });
});
