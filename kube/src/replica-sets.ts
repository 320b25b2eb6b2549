import { isDeepStrictEqual } from 'node:util';
import type { DeploymentLike } from './rollout-status.js';

/** The revision the deployment controller stamps on a Deployment and each of its ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The label the deployment controller adds to a ReplicaSet's template (and so to its pods). */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

interface OwnedMeta {
  uid?: string;
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string }[];
}

/** The fields of a ReplicaSet read here (raw JSON or client objects). */
export interface ReplicaSetLike {
  metadata?: OwnedMeta;
  spec?: { template?: unknown };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** The fields of a pod read here and by the health decision. */
export interface PodLike {
  metadata?: OwnedMeta;
  status?: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

export interface ContainerStatusLike {
  image?: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string } };
  lastState?: { terminated?: { reason?: string } };
}

const ownedBy = (owner: { metadata?: { uid?: string } }, object: { metadata?: OwnedMeta }) =>
  !!owner.metadata?.uid && (object.metadata?.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata?.uid);

export function ownedReplicaSets<T extends ReplicaSetLike>(deployment: DeploymentLike, replicaSets: readonly T[]): T[] {
  return replicaSets.filter((rs) => ownedBy(deployment, rs));
}

/** Plain JSON of a template without the hash label, so client objects and raw JSON compare alike. */
function comparableTemplate(template: unknown): unknown {
  const plain = JSON.parse(JSON.stringify(template ?? {})) as { metadata?: { labels?: Record<string, string> } };
  if (plain.metadata?.labels) delete plain.metadata.labels[POD_TEMPLATE_HASH];
  return plain;
}

/**
 * The ReplicaSet of the Deployment's current pod template. Once the controller has observed the
 * Deployment, the owned ReplicaSet whose revision annotation equals the Deployment's (the
 * controller stamps both in the same sync); otherwise, or failing that, the one whose template
 * equals the Deployment's but for the hash label (kubectl's FindNewReplicaSet), which finds a
 * rollback's ReplicaSet before the controller has seen it. Undefined while there is none. Compare
 * objects read the same way (both raw JSON or both client objects): client objects drop unknown fields.
 */
export function newReplicaSetOf<T extends ReplicaSetLike>(deployment: DeploymentLike, replicaSets: readonly T[]): T | undefined {
  const owned = ownedReplicaSets(deployment, replicaSets);
  const revision = deployment.metadata?.annotations?.[REVISION_ANNOTATION];
  const byRevision =
    revision && isObserved(deployment) ? owned.find((rs) => rs.metadata?.annotations?.[REVISION_ANNOTATION] === revision) : undefined;
  if (byRevision) return byRevision;
  const template = comparableTemplate(deployment.spec?.template);
  return owned.find((rs) => isDeepStrictEqual(comparableTemplate(rs.spec?.template), template));
}

/** The controller has seen the Deployment's latest spec (and at least `minGeneration`). */
export function isObserved(deployment: DeploymentLike, minGeneration = 0): boolean {
  const generation = Math.max(deployment.metadata?.generation ?? 0, minGeneration);
  return (deployment.status?.observedGeneration ?? 0) >= generation;
}

/** Pods of the ReplicaSet: owned by it, or (objects without owner references) carrying its hash. */
export function podsOf<T extends PodLike>(rs: ReplicaSetLike, pods: readonly T[]): T[] {
  const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH];
  return pods.filter(
    (pod) =>
      ownedBy(rs, pod) ||
      (!pod.metadata?.ownerReferences?.length && !!hash && pod.metadata?.labels?.[POD_TEMPLATE_HASH] === hash),
  );
}
