import { AppDetailFields, RevisionFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

/** What the settings editors read: the app's settings and env (secret values masked). */
export const AppSettingsQuery = graphql(
  `
  query AppSettings($app: AppRef!) {
    app(ref: $app) {
      id
      ...AppDetailFields
      env { name value secret fingerprint }
    }
  }
`,
  [AppDetailFields],
);
export type AppSettingsView = NonNullable<ResultOf<typeof AppSettingsQuery>['app']>;

/** Port, replicas, host and the policies; answers the CONFIG revision a new port creates. */
export const UpdateAppSettingsMutation = graphql(
  `
  mutation UpdateAppSettings($app: AppRef!, $input: AppSettingsInput!) {
    updateAppSettings(app: $app, input: $input) {
      app { ...AppDetailFields env { name value secret fingerprint } }
      revision { ...RevisionFields }
    }
  }
`,
  [AppDetailFields, RevisionFields],
);

/** Sets and removes variables in one CONFIG revision. */
export const UpdateAppEnvMutation = graphql(
  `
  mutation UpdateAppEnv($app: AppRef!, $input: AppEnvInput!) {
    updateAppEnv(app: $app, input: $input) {
      app { ...AppDetailFields env { name value secret fingerprint } }
      revision { ...RevisionFields }
    }
  }
`,
  [AppDetailFields, RevisionFields],
);

/** The variables; secret values only with reveal (deployer role, audited). */
export const AppEnvQuery = graphql(`
  query AppEnv($app: AppRef!, $reveal: Boolean!) {
    appEnv(app: $app, reveal: $reveal) { name value secret fingerprint }
  }
`);
export type AppEnvVar = ResultOf<typeof AppEnvQuery>['appEnv'][number];

export const DeleteAppMutation = graphql(`
  mutation DeleteApp($app: AppRef!) { deleteApp(app: $app) }
`);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($name: String!) { deleteProject(name: $name) }
`);

/** What differs between two revisions (defaults: the previous live one and the current one). */
export const RevisionDiffQuery = graphql(`
  query RevisionDiff($app: AppRef!, $from: Int, $to: Int) {
    app(ref: $app) {
      name
      namespace
      revisionDiff(from: $from, to: $to) {
        from { number image commit trigger status createdAt }
        to { number image commit trigger status createdAt }
        image { from to changed }
        commit { from to changed fromUrl toUrl }
        settingsKnown
        env {
          added { name value secret }
          removed { name value secret }
          changed { name from to secret }
        }
        port { from to changed }
        replicas { from to changed }
        host { from to changed }
      }
    }
  }
`);
export type RevisionDiffView = NonNullable<ResultOf<typeof RevisionDiffQuery>['app']>['revisionDiff'];
