// `npm run schema`: writes schema/schema.graphql from the type-graphql classes, and
// schema/graphql-env.d.ts (the gql.tada introspection type the CLI and the console use) from it.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printKipperSchema } from '../src/graphql/schema.js';
import { printGraphqlEnv } from './graphql-env.js';

const sdlFile = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
const envFile = fileURLToPath(new URL('../../schema/graphql-env.d.ts', import.meta.url));
await writeFile(sdlFile, await printKipperSchema());
console.log(`wrote ${sdlFile}`);
await writeFile(envFile, await printGraphqlEnv(sdlFile));
console.log(`wrote ${envFile}`);
