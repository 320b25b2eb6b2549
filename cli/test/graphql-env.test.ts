import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { extractIntrospectionHeader, loadRef, minifyIntrospection, outputIntrospectionFile } from 'gql.tada/internal';
import { buildSchema, parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../src/graphql/operations.js';

const cliDir = fileURLToPath(new URL('..', import.meta.url));
const envFile = fileURLToPath(new URL('../src/graphql/graphql-env.d.ts', import.meta.url));
const schemaFile = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));

describe('typed GraphQL operations', () => {
  it('graphql-env.d.ts matches schema/schema.graphql (run `npm run generate -w @kipper/cli` when this fails)', async () => {
    const committed = await readFile(envFile, 'utf8');
    // The same steps as `gql.tada generate output` with the plugin entry of cli/tsconfig.json.
    const ref = await loadRef({ schema: '../schema/schema.graphql' }).load({ rootPath: cliDir });
    if (!ref.current) throw new Error('schema did not load');
    const expected = outputIntrospectionFile(minifyIntrospection(ref.current.introspection), {
      fileType: envFile,
      shouldPreprocess: true,
      preamble: extractIntrospectionHeader(committed) ?? undefined,
    });
    expect(committed === expected, 'cli/src/graphql/graphql-env.d.ts is stale: run `npm run generate -w @kipper/cli`').toBe(true);
  });

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
