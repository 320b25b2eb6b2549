#!/usr/bin/env node
// `npm run schema:baseline`: accepts the current schema/schema.graphql as the API contract that
// later changes are checked against (api/test/schema.test.ts). Run it only to break clients on
// purpose (a removed field, argument or enum value), and say so in the commit message.
import { readFile, writeFile } from 'node:fs/promises';

const schema = new URL('../schema/schema.graphql', import.meta.url);
const baseline = new URL('../schema/baseline.graphql', import.meta.url);
const header =
  '# The API contract clients may rely on: schema/schema.graphql as of the last deliberate breaking change.\n' +
  '# A test fails when the current schema breaks it; `npm run schema:baseline` accepts a break on purpose.\n';
const body = (await readFile(schema, 'utf8')).replace(/^#[^\n]*\n/, '');
await writeFile(baseline, header + body);
console.log('schema/baseline.graphql now holds the current schema');
