import type { V1Deployment, V1Ingress, V1Service } from '@kubernetes/client-node';
import { appLabels, selectorOf } from './labels.js';
import type { AppWorkload } from './types.js';

/** The Deployment of an app, as created the first time. */
export function deploymentManifest(app: AppWorkload): V1Deployment {
  const labels = appLabels(app.name, app.labels);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.name, namespace: app.namespace, labels },
    spec: {
      replicas: app.replicas,
      progressDeadlineSeconds: app.progressDeadlineSeconds,
      selector: { matchLabels: selectorOf(app.name) },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: app.name,
              image: app.image,
              ports: [{ name: 'http', containerPort: app.port, protocol: 'TCP' }],
              env: app.env.map((e) => ('secretName' in e ? { name: e.name, valueFrom: { secretKeyRef: { name: e.secretName, key: e.secretKey } } } : { name: e.name, value: e.value })),
            },
          ],
        },
      },
    },
  };
}

/**
 * Applies the fields Kipper owns to an existing Deployment, keeping everything else (selector,
 * pod-template annotations such as kipper.dev/revision, other containers) and the container image:
 * image changes are rollouts and go through setImage, so that a configuration change never
 * undoes a rollout in flight.
 */
export function updateDeployment(existing: V1Deployment, app: AppWorkload): V1Deployment {
  const wanted = deploymentManifest(app);
  const spec = existing.spec!;
  const template = spec.template;
  const podSpec = template.spec ?? { containers: [] };
  const containers = [...podSpec.containers];
  const index = Math.max(
    0,
    containers.findIndex((c) => c.name === app.name),
  );
  const current = containers[index];
  const desired = wanted.spec!.template.spec!.containers[0]!;
  containers[index] = { ...current, ...desired, image: current?.image ?? desired.image };
  return {
    ...existing,
    metadata: { ...existing.metadata, labels: { ...existing.metadata?.labels, ...wanted.metadata!.labels } },
    spec: {
      ...spec,
      replicas: app.replicas,
      progressDeadlineSeconds: app.progressDeadlineSeconds,
      template: {
        ...template,
        metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...wanted.spec!.template.metadata!.labels } },
        spec: { ...podSpec, containers },
      },
    },
    status: undefined,
  };
}

/** ClusterIP Service, port 80 → the app's port. */
export function serviceManifest(app: AppWorkload, existing?: V1Service): V1Service {
  const wanted: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app.name, namespace: app.namespace, labels: appLabels(app.name, app.labels) },
    spec: {
      type: 'ClusterIP',
      selector: selectorOf(app.name),
      ports: [{ name: 'http', port: 80, targetPort: app.port, protocol: 'TCP' }],
    },
  };
  if (!existing) return wanted;
  return {
    ...existing,
    metadata: { ...existing.metadata, labels: { ...existing.metadata?.labels, ...wanted.metadata!.labels } },
    // clusterIP and friends are immutable: keep what the API server allocated.
    spec: { ...existing.spec, ...wanted.spec },
    status: undefined,
  };
}

/** networking.k8s.io/v1 Ingress: one rule for the host → the Service's port 80. */
export function ingressManifest(app: AppWorkload & { host: string }, existing?: V1Ingress): V1Ingress {
  const wanted: V1Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: app.name, namespace: app.namespace, labels: appLabels(app.name, app.labels) },
    spec: {
      rules: [
        {
          host: app.host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: app.name, port: { number: 80 } } } }],
          },
        },
      ],
    },
  };
  if (!existing) return wanted;
  return {
    ...existing,
    metadata: { ...existing.metadata, labels: { ...existing.metadata?.labels, ...wanted.metadata!.labels } },
    spec: { ...existing.spec, rules: wanted.spec!.rules },
    status: undefined,
  };
}
