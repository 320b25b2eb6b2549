import { AppCardFields, ProjectFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

/** The cheapest authenticated query: whether the api accepts a token. */
export const VerifyTokenQuery = graphql(`
  query VerifyToken { projects { name } }
`);

export const CreateProjectMutation = graphql(
  `
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { ...ProjectFields }
  }
`,
  [ProjectFields],
);

export const ProjectsQuery = graphql(
  `
  query Projects { projects { ...ProjectFields } }
`,
  [ProjectFields],
);

/** The console's list of projects: their pipelines and how many apps each has. */
export const ProjectsOverviewQuery = graphql(`
  query ProjectsOverview {
    projects {
      id
      name
      displayName
      createdAt
      environments { id name apps { id } }
    }
  }
`);

/** A project's environments, in pipeline order, with their apps. */
export const ProjectQuery = graphql(
  `
  query Project($name: String!) {
    project(name: $name) {
      id
      name
      displayName
      environments {
        id
        name
        position
        namespace
        next { name }
        apps { ...AppCardFields }
      }
    }
  }
`,
  [AppCardFields],
);
export type ProjectWithApps = NonNullable<ResultOf<typeof ProjectQuery>['project']>;
