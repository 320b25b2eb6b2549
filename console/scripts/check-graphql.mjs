// Fails when src/lib/graphql-env.d.ts no longer matches schema/schema.graphql
// (run `npm run generate -w @kipper/console`), then checks every operation in src/
// against the schema with gql.tada.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'src/lib/graphql-env.d.ts');
const dir = mkdtempSync(join(tmpdir(), 'kipper-console-'));
const fresh = join(dir, 'graphql-env.d.ts');
const run = (args) => execFileSync('npx', ['--no-install', 'gql.tada', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  run(['generate-output', '--tsconfig', './tsconfig.json', '--output', fresh]);
  let current = '';
  try { current = readFileSync(committed, 'utf8'); } catch { /* missing counts as stale */ }
  if (readFileSync(fresh, 'utf8') !== current) {
    console.error('console/src/lib/graphql-env.d.ts is stale: schema/schema.graphql changed. Run `npm run generate -w @kipper/console`.');
    process.exit(1);
  }
  console.log('graphql-env.d.ts matches schema/schema.graphql');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
run(['check', '--tsconfig', './tsconfig.json', '--fail-on-warn']);
console.log('GraphQL operations match the schema');
