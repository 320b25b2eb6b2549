import { request, subscribe } from './client';
import { connection } from './connection.svelte';
import { handleError, type UserError } from './errors';
import { AppEventsSubscription, AppQuery, type AppData, type DeployEvent, type Revision } from './operations';

export interface AppRef {
  namespace: string;
  name: string;
}

/**
 * One app of the detail panel: its data and deploy history, kept current by the
 * `appEvents` subscription (no polling). Tabs read it and refetch their own lists when
 * `eventCount` changes.
 */
export class AppStore {
  app = $state<AppData | null>(null);
  revisions = $state<Revision[]>([]);
  totalCount = $state(0);
  loading = $state(true);
  error = $state<UserError | null>(null);
  liveError = $state<UserError | null>(null);
  lastEvent = $state<DeployEvent | null>(null);
  /** Bumped on every deploy event, so tabs can refresh deliveries and builds. */
  eventCount = $state(0);

  readonly ref: AppRef;
  private reloadQueued = false;

  constructor(ref: AppRef) {
    this.ref = ref;
  }

  current = $derived(this.revisions.find((revision) => revision.current) ?? this.app?.currentRevision ?? null);
  latest = $derived(this.revisions[0] ?? null);

  async load(): Promise<void> {
    try {
      const data = await request(AppQuery, { ref: { namespace: this.ref.namespace, name: this.ref.name }, first: 30 });
      if (!data.app) {
        this.error = { code: 'APP_NOT_FOUND', message: `There is no app ${this.ref.name} in ${this.ref.namespace}.` };
        this.app = null;
      } else {
        this.app = data.app;
        this.revisions = data.app.history.nodes;
        this.totalCount = data.app.history.totalCount;
        this.error = null;
      }
    } catch (error) {
      this.error = handleError(error);
    } finally {
      this.loading = false;
    }
  }

  /** Loads, subscribes, and refetches after a reconnect. Returns the cleanup. */
  start(): () => void {
    void this.load();
    const unsubscribe = subscribe(
      AppEventsSubscription,
      { app: { namespace: this.ref.namespace, name: this.ref.name } },
      (data) => this.apply(data.appEvents),
      (error) => (this.liveError = error),
    );
    const off = connection.onReconnected(() => void this.load());
    return () => {
      unsubscribe();
      off();
    };
  }

  /** Puts a revision from an event or a mutation into the history. */
  upsert(revision: Revision): void {
    const list = this.revisions.filter((r) => r.number !== revision.number);
    if (revision.current) for (const r of list) if (r.current) r.current = false;
    list.push(revision);
    list.sort((a, b) => b.number - a.number);
    this.revisions = list;
    if (revision.number > (this.revisions[1]?.number ?? 0)) this.totalCount = Math.max(this.totalCount, list.length);
  }

  apply(event: DeployEvent): void {
    this.lastEvent = event;
    this.eventCount++;
    const revision = event.type === 'LIVE' ? { ...event.revision, current: true } : event.revision;
    this.upsert(revision);
    if (revision.current && this.app) this.app.currentRevision = revision;
    // A finished rollout may change other rows (superseded, current): read the history again.
    if (event.type === 'LIVE' || event.type === 'FAILED' || event.type === 'SUPERSEDED') this.reload();
  }

  private reload(): void {
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    queueMicrotask(() => {
      this.reloadQueued = false;
      void this.load();
    });
  }
}
