import type { AppWorkload, WorkloadEnvVar } from '@kipper/kube';
import type { EnvEntry, RevisionSettings } from './app-settings.js';
import type { App } from './app.entity.js';

/**
 * An app as the cluster module runs it: the one mapping the api and the worker share. The pod
 * template (port, env) is the revision's own when it recorded one (`settings`), so a rollback runs
 * the settings its target ran with; replicas and host are always the app's (they change without
 * a revision).
 */
export function appWorkload(app: App, image: string, progressDeadlineSeconds: number, settings?: RevisionSettings | null): AppWorkload {
  const template = settings ?? { port: app.port, env: app.env, envSecret: app.envSecretName };
  return {
    namespace: app.namespace,
    name: app.name,
    image,
    port: template.port,
    replicas: app.replicas,
    env: workloadEnv(template.env, template.envSecret),
    host: app.host,
    progressDeadlineSeconds,
  };
}

/** Secret entries become references to the key of the same name in the env Secret. */
export function workloadEnv(env: readonly EnvEntry[], envSecret: string | null): WorkloadEnvVar[] {
  return env.flatMap((e): WorkloadEnvVar[] => {
    if (!e.secret) return [{ name: e.name, value: e.value }];
    // A secret entry without its Secret cannot run; it is never recorded that way (see AppService.changeEnv).
    return envSecret ? [{ name: e.name, secretName: envSecret, secretKey: e.name }] : [];
  });
}
