import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildSchema, GraphQLError, type ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as client from '../src/index.js';
import { graphql } from '../src/graphql.js';

const schemaFile = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
const schema = buildSchema(await readFile(schemaFile, 'utf8'));

// schema/graphql-env.d.ts (the introspection type) is checked for staleness by api/test/schema.test.ts.
describe('typed GraphQL operations', () => {
  it('every operation of the CLI and the console validates against the schema', () => {
    const { operations, problems } = client.validateOperations(schema, client);
    expect(operations).toBeGreaterThan(25);
    expect(problems).toEqual([]);
  });
});

describe('validateOperations', () => {
  it('names the operation and what is wrong with it', () => {
    const BrokenQuery = graphql(`query Broken { projects { nope } }`);
    expect(client.validateOperations(schema, { BrokenQuery }).problems).toEqual([
      expect.stringMatching(/^BrokenQuery: Cannot query field "nope" on type "Project"\./),
    ]);
  });

  it('skips fragments (checked where they are spread) and values that are not documents', () => {
    expect(client.validateOperations(schema, { RevisionFields: client.RevisionFields, answer: 42, name: 'x' })).toEqual({
      operations: 0,
      problems: [],
    });
  });

  it('applies the rules it is given instead of the specified ones', () => {
    const noProjects: ValidationRule = (context) => ({
      Field(node) {
        if (node.name.value === 'projects') context.reportError(new GraphQLError('no projects here'));
      },
    });
    const { problems } = client.validateOperations(schema, { ProjectsQuery: client.ProjectsQuery }, [noProjects]);
    expect(problems).toEqual(['ProjectsQuery: no projects here']);
  });
});
