// `npm run schema`: writes schema/schema.graphql from the type-graphql classes.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printKipperSchema } from '../src/graphql/schema.js';

const target = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
await writeFile(target, await printKipperSchema());
console.log(`wrote ${target}`);
