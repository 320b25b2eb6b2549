import type { AppWorkload } from '@kipper/kube';
import type { App } from './app.entity.js';

/** An app as the cluster module runs it: the one mapping the api and the worker share. */
export function appWorkload(app: App, image: string, progressDeadlineSeconds: number): AppWorkload {
  return {
    namespace: app.namespace,
    name: app.name,
    image,
    port: app.port,
    replicas: app.replicas,
    env: app.env,
    host: app.host,
    progressDeadlineSeconds,
  };
}
