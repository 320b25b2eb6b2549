import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ClusterError } from './errors.js';
import type { ClusterContext } from './context.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from './labels.js';

/**
 * Creates the namespace; one that exists already is adopted: Kipper's labels (managed-by and the
 * given ones) are added with a merge patch, which keeps every other label.
 * When creating is forbidden (a namespaced service account), an existing namespace still is.
 */
export async function ensureNamespace(
  ctx: ClusterContext,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  const wanted = { [MANAGED_BY_LABEL]: MANAGED_BY, ...labels };
  try {
    await ctx.call(`create Namespace ${name}`, () =>
      ctx.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: wanted } } }),
    );
    return;
  } catch (err) {
    if (!(err instanceof ClusterError) || (err.reason !== 'AlreadyExists' && err.code !== 'CLUSTER_FORBIDDEN')) throw err;
    let existing;
    try {
      existing = await ctx.call(`read Namespace ${name}`, () => ctx.core.readNamespace({ name }));
    } catch {
      throw err;
    }
    if (err.code === 'CLUSTER_FORBIDDEN') return;
    const current = existing.metadata?.labels ?? {};
    const missing = Object.entries(wanted).filter(([k, v]) => current[k] !== v);
    if (missing.length === 0) return;
    await ctx.call(`label Namespace ${name}`, () =>
      ctx.core.patchNamespace(
        { name, body: { metadata: { labels: Object.fromEntries(missing) } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }
}

/**
 * Deletes a namespace and so everything in it (a project is being deleted). Only a namespace
 * labelled managed-by=kipper goes; a missing one is fine, anyone else's is left alone.
 */
export async function deleteNamespace(ctx: ClusterContext, name: string): Promise<void> {
  const existing = await ctx.callOrNull(`read Namespace ${name}`, () => ctx.core.readNamespace({ name }));
  if (!existing || existing.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) return;
  await ctx.callOrNull(`delete Namespace ${name}`, () => ctx.core.deleteNamespace({ name }));
}
