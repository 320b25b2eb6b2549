import type { RolloutProgress } from '@kipper/core';
import type { RolloutProgress as ClusterProgress } from '@kipper/kube';

/**
 * Rollout progress as the cluster reports it, saved and published at most once per interval,
 * the newest always last. Progress is advisory: a failed save is dropped, the final status is
 * what the rollout records.
 */
export class ProgressSaver {
  private latest: RolloutProgress | null = null;
  private saved: string | null = null;
  private lastWrite = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly save: (progress: RolloutProgress) => Promise<void>,
    private readonly throttleMs: number,
  ) {}

  push(p: ClusterProgress): void {
    this.latest = { updated: p.updated, ready: p.ready, desired: p.desired, available: p.available, old: p.old };
    const wait = this.lastWrite + this.throttleMs - Date.now();
    if (wait <= 0) this.write();
    else this.timer ??= setTimeout(() => this.write(), wait);
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const progress = this.latest;
    if (!progress || JSON.stringify(progress) === this.saved) return;
    this.saved = JSON.stringify(progress);
    this.lastWrite = Date.now();
    this.chain = this.chain.then(() => this.save(progress)).catch(() => undefined);
  }

  async settle(): Promise<void> {
    this.write();
    await this.chain;
  }
}
