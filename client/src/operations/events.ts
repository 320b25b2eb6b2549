import { RevisionFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

export const DeployEventFields = graphql(
  `
  fragment DeployEventFields on DeployEvent @_unmask {
    type
    at
    namespace
    app
    message
    health { status reason message since }
    revision { ...RevisionFields }
  }
`,
  [RevisionFields],
);
export type DeployEvent = ResultOf<typeof DeployEventFields>;

/** Every change of an app's revisions (queued, held, progress, live, failed, superseded, cancelled), its pin and its health, drift and webhook Secret. */
export const AppEventsSubscription = graphql(
  `
  subscription AppEvents($app: AppRef!) {
    appEvents(app: $app) { ...DeployEventFields }
  }
`,
  [DeployEventFields],
);

/** The same events for every app of a project. */
export const ProjectEventsSubscription = graphql(
  `
  subscription ProjectEvents($project: String!) {
    projectEvents(project: $project) { ...DeployEventFields }
  }
`,
  [DeployEventFields],
);

/** New lines of a running build's log, as the worker writes them. */
export const BuildLogSubscription = graphql(`
  subscription BuildLog($buildId: ID!) {
    buildLog(buildId: $buildId) { buildId line }
  }
`);
