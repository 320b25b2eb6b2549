import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the "source" condition,
// so tests run against src/ without a build. graphql is aliased to one entry file:
// type-graphql require()s it while tests import it, and two copies of graphql refuse
// each other's types ("from another module or realm").
export default defineConfig({
  resolve: {
    conditions: ['source', 'module', 'node', 'default'],
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'default'], externalConditions: ['node'] } },
  test: {
    include: ['test/**/*.test.ts', '*/test/**/*.test.ts', '*/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    // Suites that deploy through worker processes and the simulator take tens of seconds.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
