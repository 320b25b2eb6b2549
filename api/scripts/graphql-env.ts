// The gql.tada introspection type of schema/schema.graphql: schema/graphql-env.d.ts, which the
// CLI and the console import as `@kipper/schema/graphql-env`. Written by `npm run schema`
// (scripts/emit-schema.ts), checked for staleness by test/schema.test.ts. The same steps as
// `gql.tada generate output` for a plugin entry `{ schema, tadaOutputLocation: '….d.ts' }`.
import { loadFromSDL, minifyIntrospection, outputIntrospectionFile } from 'gql.tada/internal';

export async function printGraphqlEnv(sdlFile: string): Promise<string> {
  const { introspection } = await loadFromSDL({ file: sdlFile }).load();
  return outputIntrospectionFile(minifyIntrospection(introspection), { fileType: '.d.ts', shouldPreprocess: true });
}
