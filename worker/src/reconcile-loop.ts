import { App, type Logger } from '@kipper/core';
import type { Cluster, ManagedChange } from '@kipper/kube';
import type { DataSource } from 'typeorm';
import { AdvisoryLock, LockClass } from './app-lock.js';
import { isTransient } from './errors.js';
import type { Reconciler, ReconcileScope } from './reconciler.js';

export interface ReconcileLoopOptions {
  /** Full pass over every app (KIPPER_RECONCILE_SECONDS). */
  intervalMs: number;
  /** Watch events of one app within this window make one pass of it. */
  debounceMs: number;
  /** Apps reconciled at once in a full pass. */
  concurrency: number;
}

/** A process that is not the leader tries to become it this often (at most the interval). */
const LEADER_RETRY_MS = 5_000;
/** After a pass wrote to the cluster, whether its app still exists is checked again this much later. */
const RECHECK_MS = 2_000;

const RANK: Record<ReconcileScope, number> = { health: 0, objects: 1, full: 2 };
const wider = (a: ReconcileScope | undefined, b: ReconcileScope): ReconcileScope => (a && RANK[a] >= RANK[b] ? a : b);

/** Pods and ReplicaSets change health only; the app's own objects are compared with the record too. */
const scopeOf = (change: ManagedChange): ReconcileScope => (change.kind === 'Pod' || change.kind === 'ReplicaSet' ? 'health' : 'objects');

/**
 * When the reconciler runs. One worker process at a time leads (a session advisory lock, like the
 * sweeper's; another takes over when it dies). The leader watches Kipper's objects cluster-wide
 * and reconciles an app shortly after its objects change (debounced), makes a full pass over
 * every app when it starts leading, every interval, and after the watches reconnect (the cluster
 * was unreachable, or restarted empty). Passes of one app never overlap: a change during a pass
 * makes one more pass after it.
 */
export class ReconcileLoop {
  private leader: AdvisoryLock | null = null;
  private watching: { stop: AbortController; done: Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private lastFullPass = 0;
  private readonly debounced = new Map<string, { timer: NodeJS.Timeout; scope: ReconcileScope }>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Map<string, ReconcileScope>();
  private readonly rechecks = new Set<NodeJS.Timeout>();
  /** Passes that found the cluster or the database unreachable since the last full pass's summary. */
  private unreachable = 0;

  constructor(
    private readonly db: DataSource,
    private readonly cluster: Cluster,
    private readonly reconciler: Reconciler,
    private readonly options: ReconcileLoopOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((error: unknown) => this.log.warn('reconciler tick failed', error))
        .finally(() => {
          this.ticking = null;
          this.schedule(this.leader ? this.untilNextPass() : Math.min(LEADER_RETRY_MS, this.options.intervalMs));
        });
    }, delay);
  }

  private untilNextPass(): number {
    return Math.max(0, this.lastFullPass + this.options.intervalMs - Date.now());
  }

  /** One round: lead (or not), keep the watches up, make the full pass when it is due. Public for tests. */
  async tick(): Promise<void> {
    if (!(await this.lead())) return;
    this.watch();
    if (this.untilNextPass() === 0) await this.fullPass();
  }

  private async lead(): Promise<boolean> {
    if (this.leader && !(await this.leader.stillHeld())) {
      this.log.warn('reconciler: lost the leader lock');
      await this.leader.release();
      this.leader = null;
      await this.unwatch();
    }
    if (!this.leader && !this.stopped) {
      this.leader = await AdvisoryLock.tryAcquire(this.db, LockClass.RECONCILER, 'reconciler');
      if (this.leader) {
        this.log.info('reconciler: this process is the leader');
        this.lastFullPass = 0;
      }
    }
    return this.leader !== null;
  }

  private watch(): void {
    if (this.watching || this.stopped) return;
    const stop = new AbortController();
    const done = this.cluster
      .watchManaged({
        signal: stop.signal,
        onChange: (change) => this.changed(change),
        onResync: () => {
          this.log.info('reconciler: cluster watches reconnected, reconciling every app');
          void this.fullPass().catch((error: unknown) => this.log.warn('reconcile pass after reconnect failed', error));
        },
      })
      .catch((error: unknown) => {
        if (!stop.signal.aborted) this.log.warn('reconciler: cluster watch ended', error);
      })
      .finally(() => {
        // Ended by itself (not stopped): the next tick starts it again.
        if (this.watching?.stop === stop) this.watching = null;
      });
    this.watching = { stop, done };
  }

  private async unwatch(): Promise<void> {
    const watching = this.watching;
    this.watching = null;
    if (!watching) return;
    watching.stop.abort();
    await watching.done;
  }

  private changed(change: ManagedChange): void {
    if (this.stopped || !this.leader) return;
    const key = `${change.namespace}/${change.app}`;
    const pending = this.debounced.get(key);
    const scope = wider(pending?.scope, scopeOf(change));
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.debounced.delete(key);
      void this.run(change.namespace, change.app, scope);
    }, this.options.debounceMs);
    this.debounced.set(key, { timer, scope });
  }

  /** Every app, `concurrency` at a time. */
  async fullPass(): Promise<void> {
    this.lastFullPass = Date.now();
    const apps = await this.db.getRepository(App).find({ select: { namespace: true, name: true }, order: { namespace: 'ASC', name: 'ASC' } });
    let next = 0;
    const lane = async () => {
      while (next < apps.length && !this.stopped) {
        const app = apps[next++]!;
        await this.run(app.namespace, app.name, 'full');
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, lane));
    if (this.unreachable > 0) {
      this.log.warn(`reconciler: ${this.unreachable} app pass(es) skipped: the cluster or the database was unreachable (tried again next pass)`);
      this.unreachable = 0;
    }
  }

  /** One pass of one app; when one is under way, one more (as wide as asked) follows it. */
  private run(namespace: string, name: string, scope: ReconcileScope): Promise<void> {
    const key = `${namespace}/${name}`;
    const current = this.running.get(key);
    if (current) {
      this.again.set(key, wider(this.again.get(key), scope));
      return current;
    }
    const pass = (async () => {
      let next: ReconcileScope | undefined = scope;
      while (next && !this.stopped) {
        try {
          const touched = await this.reconciler.reconcile(namespace, name, next);
          if (touched) this.recheck(touched);
        } catch (error) {
          // Unreachable is the moment's, not the app's: counted, said once per full pass, retried.
          if (isTransient(error)) this.unreachable++;
          else this.log.warn(`${key}: reconcile failed`, error, { app: key });
        }
        next = this.again.get(key);
        this.again.delete(key);
      }
    })().finally(() => this.running.delete(key));
    this.running.set(key, pass);
    return pass;
  }

  /** An app deleted right after a pass recreated its objects (see Reconciler.reconcile) loses them again. */
  private recheck(app: App): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.rechecks.delete(timer);
      void this.reconciler.removeIfDeleted(app);
    }, RECHECK_MS);
    this.rechecks.add(timer);
  }

  /** Stops timers and watches, waits for passes under way, gives the leader lock back. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const { timer } of this.debounced.values()) clearTimeout(timer);
    this.debounced.clear();
    for (const timer of this.rechecks) clearTimeout(timer);
    this.rechecks.clear();
    await this.unwatch();
    await this.ticking;
    await Promise.all([...this.running.values()]);
    await this.leader?.release();
    this.leader = null;
  }
}
