import { BuildFields } from '../fragments.js';
import { graphql } from '../graphql.js';

/** An app's builds, newest first, without their logs. */
export const BuildsQuery = graphql(
  `
  query Builds($app: AppRef!, $first: Int!) {
    app(ref: $app) {
      name
      namespace
      source
      builds(first: $first) { ...BuildFields }
    }
  }
`,
  [BuildFields],
);

/**
 * One build and its log: the last `tail` lines, or the lines from index `from` on (to follow a
 * running build without losing or repeating a line).
 */
export const BuildQuery = graphql(
  `
  query Build($id: ID!, $from: Int, $tail: Int) {
    build(id: $id) { ...BuildFields log(from: $from, tail: $tail) }
  }
`,
  [BuildFields],
);
