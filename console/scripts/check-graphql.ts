// `npm run check:graphql`: fails when an operation in src/lib/operations.ts is not valid
// against schema/schema.graphql. (`gql.tada check` would do this but refuses to run beside
// .svelte files without @gql.tada/svelte-support; the operations' result types are checked by
// svelte-check against @kipper/schema/graphql-env, whose staleness api/test/schema.test.ts checks.)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, print, validate, type DocumentNode } from 'graphql';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let failed = false;

const schema = buildSchema(readFileSync(join(root, '../schema/schema.graphql'), 'utf8'));
const operations = (await import('../src/lib/operations.ts')) as Record<string, unknown>;
let count = 0;
for (const [name, value] of Object.entries(operations)) {
  if (!value || typeof value !== 'object' || (value as { kind?: unknown }).kind !== 'Document') continue;
  const document = value as DocumentNode;
  const isFragment = document.definitions.every((d) => d.kind === 'FragmentDefinition');
  if (isFragment) continue; // fragments are validated inside the operations that use them
  count++;
  for (const error of validate(schema, document)) {
    console.error(`✗ ${name}: ${error.message}\n${print(document)}`);
    failed = true;
  }
}
if (!failed) console.log(`✓ ${count} operations are valid against schema/schema.graphql`);
process.exit(failed ? 1 : 0);
