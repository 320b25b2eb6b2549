import { ErrorCode } from './error-code.js';
import { KipperError } from './kipper-error.js';

/**
 * The cluster module throws `ClusterError` (`@kipper/kube`) with a `CLUSTER_*` code. It is
 * recognised by shape, so this file does not pull the Kubernetes client into everything that
 * maps errors. Unreachable clusters become CLUSTER_UNAVAILABLE, everything else CLUSTER_ERROR.
 */
export function fromClusterError(err: unknown): KipperError | undefined {
  if (!(err instanceof Error) || err.name !== 'ClusterError') return undefined;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('CLUSTER_')) return undefined;
  if (code === 'CLUSTER_UNREACHABLE') {
    return new KipperError(ErrorCode.CLUSTER_UNAVAILABLE, `The Kubernetes API is not reachable: ${err.message}`, { clusterCode: code });
  }
  if (code === 'CLUSTER_CONFLICT' && (err as Error & { reason?: unknown }).reason === 'NotManagedByKipper') {
    // Not a fault of the cluster: an object of that name belongs to someone else. The user acts.
    return new KipperError(ErrorCode.CONFLICT, err.message, { clusterCode: code });
  }
  return new KipperError(ErrorCode.CLUSTER_ERROR, `Kubernetes refused the change: ${err.message}`, { clusterCode: code });
}

/** Runs one cluster call and rethrows a ClusterError as a KipperError; other errors pass through. */
export async function inCluster<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromClusterError(err) ?? err;
  }
}
