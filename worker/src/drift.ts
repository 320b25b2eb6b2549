import type { RevisionSettings } from '@kipper/core';
import type { AppObjects } from '@kipper/kube';

/** What the record says the app's objects should be. */
export interface DesiredState {
  namespace: string;
  name: string;
  image: string;
  replicas: number;
  host: string | null;
  /** The revision whose image that is (the pod template's `kipper.dev/revision`). */
  revision: number;
  /** That revision's pod template (port, env); null: recorded before snapshots, the app's are used. */
  settings?: RevisionSettings | null;
}

export type ObjectKind = 'Deployment' | 'Service' | 'Ingress';

/** How the cluster differs from the record (nothing here is a difference: all null / empty). */
export interface Comparison {
  /** Objects of the app that do not exist (the Ingress only when the app has a host). */
  missing: ObjectKind[];
  /** Objects of the app's name that Kipper did not create: never touched, reported. */
  foreign: ObjectKind[];
  image: { actual: string | null; wanted: string } | null;
  replicas: { actual: number; wanted: number } | null;
  /** Ingress host (null: Kipper's Ingress exists although the app has no host any more). */
  host: { actual: string | null; wanted: string | null } | null;
}

/** Compares what readAppObjects saw with the record. Foreign objects are never compared further. */
export function compareApp(objects: AppObjects, desired: DesiredState): Comparison {
  const wantedHost = desired.host?.trim() || null;
  const result: Comparison = { missing: [], foreign: [], image: null, replicas: null, host: null };
  const { deployment, service, ingress } = objects;
  if (!deployment) result.missing.push('Deployment');
  else if (!deployment.managed) result.foreign.push('Deployment');
  else {
    if (deployment.image !== desired.image) result.image = { actual: deployment.image, wanted: desired.image };
    if (deployment.replicas !== desired.replicas) result.replicas = { actual: deployment.replicas, wanted: desired.replicas };
  }
  if (!service) result.missing.push('Service');
  else if (!service.managed) result.foreign.push('Service');
  if (wantedHost) {
    if (!ingress) result.missing.push('Ingress');
    else if (!ingress.managed) result.foreign.push('Ingress');
    else if (ingress.host !== wantedHost) result.host = { actual: ingress.host, wanted: wantedHost };
  } else if (ingress?.managed) {
    result.host = { actual: ingress.host, wanted: null };
  }
  return result;
}

/** The differences that policy `report` flags (and `repair` puts back), in words. */
export function describeDifferences(c: Comparison): string[] {
  const out: string[] = [];
  if (c.image) out.push(`image is ${c.image.actual ?? 'none'} (Kipper deployed ${c.image.wanted})`);
  if (c.replicas) out.push(`replicas are ${c.replicas.actual} (the app has ${c.replicas.wanted})`);
  if (c.host) {
    out.push(c.host.wanted ? `Ingress host is ${c.host.actual ?? 'none'} (the app has ${c.host.wanted})` : `an Ingress for ${c.host.actual ?? 'no host'} exists (the app has no host)`);
  }
  return out;
}

/** Refusals: objects of the app's name that Kipper did not create and will not touch. */
export function describeForeign(c: Comparison, desired: Pick<DesiredState, 'namespace' | 'name'>): string[] {
  return c.foreign.map((kind) => `${kind} ${desired.namespace}/${desired.name} exists and is not managed by Kipper; left alone`);
}
