import { VersionApi } from '@kubernetes/client-node';
import type { ClusterContext } from './context.js';
import { toClusterError } from './errors.js';

/**
 * One `GET /version`, without retries (readiness probes ask often and must answer quickly):
 * resolves when the API server answers, else ClusterError. Allowed to every authenticated
 * client by Kubernetes' default `system:public-info-viewer` role, so it needs no RBAC of Kipper's.
 */
export async function ping(ctx: ClusterContext): Promise<void> {
  ctx.assertOpen();
  try {
    await ctx.kc.makeApiClient(VersionApi).getCode();
  } catch (err) {
    throw toClusterError(err, 'read the API server version');
  }
}
