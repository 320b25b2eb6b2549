import type { ClusterContext } from './context.js';
import { labelSelector, selectorOf } from './labels.js';
import { isObserved, type ReplicaSetLike } from './replica-sets.js';
import { rolloutProgressOf } from './rollout-progress.js';
import type { DeploymentLike } from './rollout-status.js';
import type { RolloutProgress } from './types.js';

const sameProgress = (a: RolloutProgress | undefined, b: RolloutProgress) =>
  !!a &&
  a.updated === b.updated &&
  a.ready === b.ready &&
  a.available === b.available &&
  a.desired === b.desired &&
  a.old === b.old;

/**
 * Turns the Deployment versions a rollout follower sees into progress counted on the new
 * ReplicaSet. Each version costs one list of the app's ReplicaSets; versions arriving during a list
 * are coalesced into the newest. The controllers write ReplicaSet status before the Deployment
 * status derived from it, so the list is never behind the version that triggered it. Reports go
 * out in order, only when the numbers change.
 */
export class ProgressReporter {
  private pending: DeploymentLike | undefined;
  private draining: Promise<void> | undefined;
  private last: RolloutProgress | undefined;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly namespace: string,
    private readonly name: string,
    private readonly minGeneration: number,
    private readonly onProgress: (progress: RolloutProgress) => void,
  ) {}

  observe(deployment: DeploymentLike): void {
    this.pending = deployment;
    this.draining ??= this.drain();
  }

  /** Resolves once the latest version seen has been reported. */
  settle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const deployment = this.pending;
        this.pending = undefined;
        const replicaSets = isObserved(deployment, this.minGeneration) ? await this.listReplicaSets() : [];
        // A failed list skips this report: progress is informative, the next version brings another.
        if (replicaSets) this.report(rolloutProgressOf(deployment, replicaSets, this.minGeneration));
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async listReplicaSets(): Promise<ReplicaSetLike[] | undefined> {
    const { ctx, namespace, name } = this;
    try {
      const list = await ctx.call(`list ReplicaSets of ${namespace}/${name}`, () =>
        ctx.apps.listNamespacedReplicaSet({ namespace, labelSelector: labelSelector(selectorOf(name)) }),
      );
      return list.items;
    } catch {
      return undefined;
    }
  }

  private report(progress: RolloutProgress) {
    if (sameProgress(this.last, progress)) return;
    this.last = progress;
    this.onProgress(progress);
  }
}
