// `npm run check:graphql`: fails when
// 1. src/lib/graphql-env.d.ts no longer matches schema/schema.graphql (run `npm run generate`), or
// 2. an operation in src/lib/operations.ts is not valid against the schema.
// (`gql.tada check` would do 2. but refuses to run beside .svelte files without
// @gql.tada/svelte-support; the operations' result types are checked by svelte-check.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, print, validate, type DocumentNode } from 'graphql';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let failed = false;

const dir = mkdtempSync(join(tmpdir(), 'kipper-console-'));
try {
  const fresh = join(dir, 'graphql-env.d.ts');
  execFileSync('gql.tada', ['generate-output', '--tsconfig', './tsconfig.json', '--output', fresh], { cwd: root, stdio: 'ignore' });
  let committed = '';
  try {
    committed = readFileSync(join(root, 'src/lib/graphql-env.d.ts'), 'utf8');
  } catch {
    // missing counts as stale
  }
  if (readFileSync(fresh, 'utf8') !== committed) {
    console.error('✗ console/src/lib/graphql-env.d.ts is stale: schema/schema.graphql changed. Run `npm run generate -w @kipper/console`.');
    failed = true;
  } else {
    console.log('✓ graphql-env.d.ts matches schema/schema.graphql');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

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
